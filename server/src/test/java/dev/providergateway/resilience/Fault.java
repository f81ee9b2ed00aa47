package dev.providergateway.resilience;

import static dev.providergateway.resilience.Wire.chunk;

import dev.providergateway.provider.testing.FakeUpstream.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * The fault profiles of the faulty upstream, each as the OpenAI-compatible wire says it: what a
 * {@code /chat/completions} request gets back, streamed ({@code "stream": true}) or not. A profile
 * answers every request the same way, so retries meet the same fault.
 */
enum Fault {
  /** HTTP 500 with an OpenAI error body. */
  HTTP_500(
      stream ->
          Response.json(
              500,
              Wire.error(
                  "server_error", "The server had an error while processing your request."))),

  /** HTTP 503 asking to come back in 1 s ({@code Retry-After: 1}). */
  HTTP_503_RETRY_AFTER(
      stream ->
          Response.json(503, Wire.error("overloaded", "The engine is currently overloaded."))
              .withHeader("retry-after", "1")),

  /** HTTP 429 asking to come back in 150 ms ({@code retry-after-ms: 150}). */
  HTTP_429_RETRY_AFTER(
      stream ->
          Response.json(
                  429,
                  Wire.error(
                      "rate_limit_exceeded",
                      "Rate limit reached for requests per min. Please try again in 150ms."))
              .withHeader("retry-after-ms", "150")),

  /** HTTP 429 saying the account's quota is spent. */
  QUOTA_429(
      stream ->
          Response.json(
              429,
              Wire.error(
                  "insufficient_quota",
                  "You exceeded your current quota, please check your plan and billing details."))),

  /** Accepts the request and sends nothing, not even headers. */
  HANG_BEFORE_HEADERS(
      stream ->
          Response.stream(200, contentType(stream), Duration.ZERO, List.of(" "))
              .thenHang("\n")
              .withDelayBeforeHeaders(Duration.ofSeconds(60))),

  /** Sends 200 headers, then only keep-alive bytes (SSE comments; JSON whitespace). */
  HANG_AFTER_HEADERS(
      stream ->
          Response.stream(200, contentType(stream), Duration.ZERO, List.of())
              .thenHang(stream ? ": ping\n\n" : " ")),

  /** Sends the start of the answer (for streams, a first piece of text), then nothing more. */
  STALL_MID_STREAM(
      stream ->
          Response.stream(
                  200,
                  contentType(stream),
                  Duration.ZERO,
                  List.of(
                      stream
                          ? chunk("Hel")
                          : "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":["))
              .thenHang(stream ? "\n" : " ")),

  /** Sends the start of the answer, then resets the TCP connection. */
  RESET_MID_STREAM(
      stream ->
          Response.stream(
                  200,
                  contentType(stream),
                  Duration.ZERO,
                  List.of(
                      stream
                          ? chunk("Hel")
                          : "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":["))
              .thenReset()),

  /**
   * An event whose data is not JSON (streams: then the stream stays open); a non-streamed call gets
   * an SSE body instead of JSON.
   */
  MALFORMED_SSE(
      stream ->
          stream
              ? Response.stream(
                      200,
                      "text/event-stream",
                      Duration.ZERO,
                      List.of("data: this is not json\n\n"))
                  .thenHang("\n")
              : Response.text(200, "text/event-stream", "data: this is not json\n\n")),

  /**
   * JSON cut off in the middle: a whole body that ends early; for streams, a good first event, then
   * an event whose JSON ends early (the stream stays open).
   */
  TRUNCATED_JSON(
      stream ->
          stream
              ? Response.stream(
                      200,
                      "text/event-stream",
                      Duration.ZERO,
                      List.of(
                          chunk("Hel"),
                          "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\n\n"))
                  .thenHang("\n")
              : Response.json(200, Wire.completionBody("Hello").substring(0, 90))),

  /**
   * A valid answer that trickles: a piece every 100 ms (a third of the watchdogs' 300 ms, so none
   * fires), far longer than the deadline.
   */
  SLOW_DRIP(
      stream ->
          stream
              ? Response.stream(
                  200,
                  "text/event-stream",
                  Duration.ofMillis(100),
                  Collections.nCopies(200, chunk(".")))
              : Response.stream(
                  200,
                  "application/json",
                  Duration.ofMillis(100),
                  characters(Wire.completionBody("Hello")))),

  /**
   * A body past the gateway's limits: a 40 MiB JSON answer (the limit is 32 MiB), or a stream line
   * of 40 Mi characters (the limit is 8 Mi).
   */
  OVERSIZED(
      stream -> {
        List<String> parts = new ArrayList<>();
        parts.add(
            stream
                ? "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
                : "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"");
        parts.addAll(Collections.nCopies(40, Holder.MIB));
        parts.add(stream ? "\"}}]}\n\n" + Wire.DONE : "\"},\"finish_reason\":\"stop\"}]}");
        return Response.stream(200, contentType(stream), Duration.ZERO, parts);
      });

  private final Function<Boolean, Response> response;

  Fault(Function<Boolean, Response> response) {
    this.response = response;
  }

  /** A fresh response for a request that is streamed or not. */
  Response response(boolean stream) {
    return response.apply(stream);
  }

  private static String contentType(boolean stream) {
    return stream ? "text/event-stream" : "application/json";
  }

  private static List<String> characters(String s) {
    return s.chars().mapToObj(c -> String.valueOf((char) c)).toList();
  }

  private static final class Holder {
    static final String MIB = "a".repeat(1 << 20);
  }
}
