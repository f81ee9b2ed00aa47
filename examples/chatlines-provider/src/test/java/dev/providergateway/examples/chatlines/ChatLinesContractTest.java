package dev.providergateway.examples.chatlines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.testing.EventCollector;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.ProviderContractTest;
import dev.providergateway.provider.testing.TestTransport;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The SDK's provider contract over chat-lines: every scenario of {@link ProviderContractTest}
 * (text, streams, tool calls, tool results, errors, cancellation, dead and malformed streams) with
 * fixtures in the chat-lines wire format, plus the format's own cases.
 */
class ChatLinesContractTest extends ProviderContractTest {
  static final String CONTENT_TYPE = "text/x-chat-lines";

  @Override
  protected Provider newProvider(URI baseUri) {
    return new ChatLinesProviderFactory()
        .create(
            TestTransport.settings("lines-test", "chatlines")
                .baseUrl(baseUri.toString())
                .apiKey("test-key")
                .build());
  }

  /** A TEXT line for {@code text}. */
  static String text(String text) {
    return "TEXT " + Json.write(text);
  }

  /** A streamed chat-lines response: each element is one line. */
  static Response lines(List<String> lines) {
    return Response.stream(
        200, CONTENT_TYPE, Duration.ZERO, lines.stream().map(l -> l + "\n").toList());
  }

  /** A non-streamed chat-lines answer: the same lines in a JSON envelope. */
  static Response envelope(List<String> lines) {
    return Response.json(200, Json.write(Map.of("lines", lines)));
  }

  static List<String> weatherCall(String ref) {
    return List.of("CALL " + ref + " get_weather", "ARGS " + ref + " " + Json.write(WEATHER_ARGS));
  }

  @Override
  protected Response chatText() {
    return envelope(List.of("MODEL lines-1", text(TEXT), "USAGE 12 7", "END done"));
  }

  @Override
  protected Response streamText() {
    return lines(
        List.of(
            "MODEL lines-1",
            text("Hello"),
            text(" from the"),
            text(" fake upstream."),
            "USAGE 12 7",
            "END done"));
  }

  @Override
  protected Response chatToolCall() {
    List<String> l = new ArrayList<>(List.of("MODEL lines-1"));
    l.addAll(weatherCall("c1"));
    l.addAll(List.of("USAGE 12 7", "END tool"));
    return envelope(l);
  }

  @Override
  protected Response chatParallelToolCalls() {
    List<String> l = new ArrayList<>(weatherCall("c1"));
    l.addAll(List.of("CALL c2 get_time", "ARGS c2 " + Json.write(TIME_ARGS), "END tool"));
    return envelope(l);
  }

  @Override
  protected Response streamParallelToolCalls() {
    // Both calls open before their arguments arrive, interleaved, in fragments.
    return lines(
        List.of(
            "MODEL lines-1",
            "CALL c1 get_weather",
            "CALL c2 get_time",
            "ARGS c1 " + Json.write("{\"city\":"),
            "ARGS c2 " + Json.write("{\"tz\":"),
            "ARGS c1 " + Json.write("\"Paris\"}"),
            "ARGS c2 " + Json.write("\"Europe/Paris\"}"),
            "USAGE 12 7",
            "END tool"));
  }

  @Override
  protected Response streamThenHang() {
    return lines(List.of(text("Hello"))).thenHang("# keep-alive\n");
  }

  @Override
  protected Response streamThenDie() {
    return lines(List.of(text("Hello"))).thenAbort();
  }

  @Override
  protected Response streamMalformed() {
    return lines(List.of(text("Hello"), "TEXT \"broken", "END done"));
  }

  @Override
  protected Response error(int status, String message, String code) {
    return Response.text(
        status, "text/plain", "ERROR " + status + " " + Json.write(code + ": " + message) + "\n");
  }

  @Override
  protected void assertToolRoundTripSent(JsonNode body) {
    JsonNode prompt = body.path("prompt");
    assertThat(prompt).hasSize(3);
    JsonNode model = prompt.get(1);
    assertThat(model.path("from").asText()).isEqualTo("model");
    JsonNode call = model.path("calls").get(0);
    assertThat(call.path("ref").asText()).isEqualTo("call_1");
    assertThat(call.path("tool").asText()).isEqualTo("get_weather");
    assertThat(call.path("input").isObject())
        .as("chat-lines takes the input as an object")
        .isTrue();
    assertThat(call.path("input").path("city").asText()).isEqualTo("Paris");
    JsonNode result = prompt.get(2);
    assertThat(result.path("from").asText()).isEqualTo("result");
    assertThat(result.path("ref").asText()).isEqualTo("call_1");
    assertThat(result.path("text").asText()).isEqualTo("sunny, 21C");
    assertThat(body.path("toolbox").get(0).path("tool").asText()).isEqualTo("get_weather");
  }

  @Test
  void stream_errorLineMidStream_failsWithItsStatusAfterTheText() throws Exception {
    upstream.enqueue(lines(List.of(text("Hello"), "ERROR 503 \"model overloaded, try again\"")));

    EventCollector events = EventCollector.of(provider.stream(request("hi").build(), context()));

    Throwable error = events.await();
    assertThat(error)
        .isInstanceOf(ProviderException.Unavailable.class)
        .hasMessageContaining("model overloaded");
    assertThat(((ProviderException) error).retryable()).isTrue();
    assertThat(events.content()).isEqualTo("Hello");
  }

  @Test
  void stream_commentsAndBlankLines_skipped() throws Exception {
    upstream.enqueue(
        lines(List.of("# warming up", "", text("Hi"), "   ", text(" there"), "END done")));

    EventCollector events = EventCollector.of(provider.stream(request("hi").build(), context()));

    assertThat(events.await()).isNull();
    assertThat(events.content()).isEqualTo("Hi there");
  }

  @Test
  void stream_argsBeforeCall_invalidResponse() throws Exception {
    upstream.enqueue(lines(List.of("ARGS c9 \"{}\"", "END tool")));

    EventCollector events = EventCollector.of(provider.stream(request("hi").build(), context()));

    assertThat(events.await())
        .isInstanceOf(ProviderException.InvalidResponse.class)
        .hasMessageContaining("c9");
  }

  @Test
  void chat_answerWithoutEnd_invalidResponse() {
    upstream.enqueue(envelope(List.of(text("Hello"))));

    assertThat(
            unwrap(
                org.assertj.core.api.Assertions.catchThrowable(() -> chat(request("hi").build()))))
        .isInstanceOf(ProviderException.InvalidResponse.class)
        .hasMessageContaining("END");
  }

  @Test
  void chat_sendsKeyHeaderToGenerateEndpoint() throws Exception {
    upstream.enqueue(chatText());

    chat(request("hi").build());

    var sent = upstream.takeRequest();
    assertThat(sent.path()).isEqualTo("/v1/generate");
    assertThat(sent.header("x-lines-key")).isEqualTo("test-key");
    assertThat(sent.json().path("stream").asBoolean()).isFalse();
  }

  @Test
  void chat_keyFromEnvironment_sentWhenNoneConfigured() throws Exception {
    upstream.enqueue(chatText());
    try (Provider fromEnv =
        new ChatLinesProviderFactory()
            .create(
                TestTransport.settings(
                    "lines-env",
                    "chatlines",
                    Map.of(
                        "CHATLINES_API_KEY",
                        "env-key",
                        "CHATLINES_BASE_URL",
                        upstream.baseUri().toString())))) {
      fromEnv.chat(request("hi").build(), context()).get(10, TimeUnit.SECONDS);
    }

    assertThat(upstream.takeRequest().header("x-lines-key")).isEqualTo("env-key");
  }

  @Test
  void chat_cutoffEnd_lengthStopReason() throws Exception {
    upstream.enqueue(envelope(List.of(text("Hel"), "USAGE 3 1", "END cutoff")));

    var r = chat(request("hi").maxTokens(1).build());

    assertThat(r.stopReason()).isEqualTo(dev.providergateway.provider.StopReason.LENGTH);
    assertThat(r.nativeStopReason()).isEqualTo("cutoff");
    assertThat(upstream.takeRequest().json().path("limit").asInt()).isEqualTo(1);
  }
}
