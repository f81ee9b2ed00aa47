package dev.providergateway.provider.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.EventPublisher;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * One provider's upstream HTTP client: a single pooled JDK {@link HttpClient} shared by all its
 * calls, JSON request bodies, and the shared conventions every provider gets for free: the
 * request timeout is the caller's remaining deadline (capped by a default) and covers the wait
 * for response headers; error statuses and transport failures become {@link ProviderException}s
 * through {@link HttpErrors}; cancelling a call aborts its exchange and closes its connection.
 *
 * <p>The JDK client is used because its asynchronous API cancels an exchange when its future is
 * cancelled, and its body subscribers follow {@link Flow} demand, so a stream is read only as
 * fast as the caller reads. HTTP/1.1 is used so that an aborted stream closes its connection,
 * which every upstream (including local servers) sees as the end of the generation.
 *
 * <p>Thread-safe; one per provider instance, created in the provider's constructor and shared
 * by all its calls. It holds no resources that need closing: the JDK client releases its pooled
 * connections once unreferenced, so a provider's {@code close()} has nothing to do for it. Every
 * future and publisher it returns owns one exchange: cancelling it (as the gateway does on a
 * caller's cancellation or deadline) aborts the exchange and closes its connection.
 */
public final class UpstreamHttp {
  /** The largest non-streamed response body read (32 MiB); larger ones fail as invalid. */
  public static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

  private final HttpClient client;
  private final Duration requestTimeout;
  private final Clock clock;
  private final UnaryOperator<Throwable> refine;

  /**
   * @param connectTimeout how long a TCP/TLS connect may take
   * @param requestTimeout the longest wait for response headers when the caller set no deadline
   */
  public UpstreamHttp(Duration connectTimeout, Duration requestTimeout, Clock clock) {
    this(connectTimeout, requestTimeout, clock, UnaryOperator.identity());
  }

  /**
   * As above, with {@code refine} applied to every failure before it is reported: the place for
   * a provider's own knowledge of its error bodies (say, a 400 that really means a bad key),
   * layered on the shared {@link HttpErrors} classification. It must return a {@link
   * ProviderException} (or the failure unchanged) and must not throw.
   */
  public UpstreamHttp(Duration connectTimeout, Duration requestTimeout, Clock clock, UnaryOperator<Throwable> refine) {
    this.refine = requireNonNull(refine, "refine");
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(requireNonNull(connectTimeout, "connectTimeout"))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    this.requestTimeout = requireNonNull(requestTimeout, "requestTimeout");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * POSTs {@code body} as JSON and completes with {@code parse} applied to the JSON response, or
   * exceptionally with a {@link ProviderException} (from the exchange or thrown by {@code
   * parse}). Cancelling the returned future aborts the exchange.
   */
  public <T> CompletableFuture<T> postJson(
      URI uri, Map<String, String> headers, Object body, Origin origin, CallContext context,
      Function<JsonNode, T> parse) {
    CompletableFuture<JsonNode> exchange = postJson(uri, headers, body, origin, context);
    CompletableFuture<T> result = new CompletableFuture<>();
    exchange.whenComplete((json, failure) -> {
      if (failure != null) {
        result.completeExceptionally(failure);
        return;
      }
      try {
        result.complete(parse.apply(json));
      } catch (RuntimeException e) {
        result.completeExceptionally(refine.apply(e));
      }
    });
    result.whenComplete((r, e) -> {
      if (result.isCancelled()) {
        exchange.cancel(true);
      }
    });
    return result;
  }

  /**
   * POSTs {@code body} as JSON and completes with the parsed JSON response, or exceptionally with
   * a {@link ProviderException}. Cancelling the returned future aborts the exchange.
   */
  public CompletableFuture<JsonNode> postJson(
      URI uri, Map<String, String> headers, Object body, Origin origin, CallContext context) {
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    HttpRequest request;
    try {
      request = request(uri, headers, body, origin, context, "application/json");
    } catch (ProviderException e) {
      return CompletableFuture.failedFuture(refine.apply(e));
    }
    CompletableFuture<HttpResponse<byte[]>> exchange =
        client.sendAsync(request, info -> new LimitedBody(MAX_BODY_BYTES));
    exchange.whenComplete((response, failure) -> {
      if (failure != null) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
            ? failure.getCause() : failure;
        result.completeExceptionally(refine.apply(cause instanceof LimitedBody.TooLarge || cause.getCause() instanceof LimitedBody.TooLarge
            ? new ProviderException.InvalidResponse(origin, origin.provider() + " sent a response body over "
                + MAX_BODY_BYTES + " bytes; it was not read", cause)
            : HttpErrors.fromThrowable(origin, failure)));
        return;
      }
      if (response.statusCode() >= 300) {
        String text = new String(response.body(), StandardCharsets.UTF_8);
        result.completeExceptionally(refine.apply(
            HttpErrors.fromResponse(origin, response.statusCode(), response.headers(), text)));
        return;
      }
      // Parsed from the bytes: no intermediate String on the hot path.
      JsonNode json = Json.tryParse(response.body());
      if (json == null || !json.isObject()) {
        result.completeExceptionally(refine.apply(new ProviderException.InvalidResponse(
            origin, origin.provider() + " returned a body that is not a JSON object", null)));
      } else {
        result.complete(json);
      }
    });
    result.whenComplete((r, e) -> {
      if (result.isCancelled()) {
        exchange.cancel(true);
      }
    });
    return result;
  }

  /**
   * POSTs {@code body} as JSON and returns a cold publisher of the streamed response, decoded by
   * a fresh decoder from {@code decoders}. The request is sent when the publisher is subscribed;
   * the stream fails with a {@link ProviderException} for an error status, a transport failure,
   * a decoding failure, or a body that ends before the decoder saw the end marker.
   */
  public Flow.Publisher<StreamEvent> postStream(
      URI uri,
      Map<String, String> headers,
      Object body,
      Origin origin,
      CallContext context,
      Supplier<StreamDecoder> decoders) {
    return new EventPublisher<>(out -> {
      HttpRequest request = request(uri, headers, body, origin, context, "text/event-stream, application/x-ndjson, application/json");
      HttpResponse.BodyHandler<Void> handler = info -> info.statusCode() >= 300
          ? HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8), text -> {
              out.fail(refine.apply(HttpErrors.fromResponse(origin, info.statusCode(), info.headers(), text)));
              return null;
            })
          : new StreamingBody(out, decoders.get(), origin, refine);
      CompletableFuture<HttpResponse<Void>> exchange = client.sendAsync(request, handler);
      out.onCancel(() -> exchange.cancel(true));
      exchange.whenComplete((r, failure) -> {
        if (failure != null) {
          out.fail(refine.apply(HttpErrors.fromThrowable(origin, failure)));
        }
      });
    });
  }

  private HttpRequest request(
      URI uri, Map<String, String> headers, Object body, Origin origin, CallContext context, String accept) {
    Duration timeout = requestTimeout;
    var left = context.timeLeft(clock);
    if (left.isPresent()) {
      if (left.get().isZero()) {
        throw new ProviderException.Timeout(
            origin, "the caller's deadline passed before the request to " + origin.provider() + " was sent", null);
      }
      timeout = left.get().compareTo(timeout) < 0 ? left.get() : timeout;
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("content-type", "application/json")
        .header("accept", accept)
        .header("x-request-id", context.requestId())
        .POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(body).getBytes(StandardCharsets.UTF_8)));
    headers.forEach(b::header);
    return b.build();
  }
}
