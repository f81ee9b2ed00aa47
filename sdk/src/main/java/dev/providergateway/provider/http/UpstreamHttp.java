package dev.providergateway.provider.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.EventPublisher;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLException;

/**
 * One provider's upstream HTTP client: HTTP/1.1 keep-alive connections on the process's shared
 * event loops ({@link UpstreamTransport}), JSON request bodies, and the shared conventions every
 * provider gets for free: the wait for response headers (connecting included) is bounded by the
 * caller's remaining deadline, capped by a default; error statuses and transport failures become
 * {@link ProviderException}s through {@link HttpErrors}; cancelling a call closes its connection,
 * which every upstream (local servers included) sees as the end of the generation.
 *
 * <p>Connections are pooled per origin and per event loop, so a call that arrives on a loop sends
 * its request, reads the response and completes on that thread. Futures and publishers therefore
 * complete on an event loop: what runs on their completion must not block. Streamed bodies are read
 * only while the publisher's subscriber has demand, so a slow caller slows the upstream through TCP
 * flow control instead of filling the heap. TLS uses the JDK's trust store and verifies the host
 * name.
 *
 * <p>Thread-safe; one per provider instance, created in the provider's constructor and shared by
 * all its calls; {@link #close()} (from the provider's {@code close()}) closes its idle
 * connections. Every future and publisher it returns owns one exchange: cancelling it (as the
 * gateway does on a caller's cancellation or deadline) aborts the exchange and closes its
 * connection.
 */
public final class UpstreamHttp implements AutoCloseable {
  /** The largest non-streamed response body read (32 MiB); larger ones fail as invalid. */
  public static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

  private static volatile SslContext tls;

  private final UpstreamTransport transport;
  private final Map<String, ConnectionPool> pools = new ConcurrentHashMap<>();
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Clock clock;
  private final UnaryOperator<Throwable> refine;
  private final ConnectionPool.Limits poolLimits;

  /**
   * The last URI prepared and what was derived from it (its pool, request path and host header): a
   * provider calls the same one or two URIs over and over, so this spares each call the scheme
   * check, three string concatenations and the pool lookup. One entry, so a caller-chosen URI part
   * (an Azure deployment named by the model) cannot grow it.
   */
  private volatile Route lastRoute;

  /** What {@link #prepare} derives from a URI. */
  private record Route(URI uri, ConnectionPool pool, String path, String hostHeader) {}

  /**
   * A client on {@code transport}'s event loops. {@code refine} is applied to every failure before
   * it is reported: the place for a provider's own knowledge of its error bodies (say, a 400 that
   * really means a bad key), layered on the shared {@link HttpErrors} classification. It must
   * return a {@link ProviderException} (or the failure unchanged) and must not throw. Providers
   * built on {@link HttpProvider} get one from {@link ProviderOptions#upstreamHttp}.
   *
   * @param connectTimeout how long a TCP/TLS connect may take
   * @param requestTimeout the longest wait for response headers when the caller set no deadline
   * @param clock the clock that callers' deadlines are measured on
   */
  public UpstreamHttp(
      UpstreamTransport transport,
      Duration connectTimeout,
      Duration requestTimeout,
      Clock clock,
      UnaryOperator<Throwable> refine) {
    this(transport, connectTimeout, requestTimeout, clock, refine, ConnectionPool.Limits.DEFAULTS);
  }

  /** As the public constructor, with the connection pool's bounds (tests use small ones). */
  UpstreamHttp(
      UpstreamTransport transport,
      Duration connectTimeout,
      Duration requestTimeout,
      Clock clock,
      UnaryOperator<Throwable> refine,
      ConnectionPool.Limits poolLimits) {
    this.poolLimits = requireNonNull(poolLimits, "poolLimits");
    this.transport = requireNonNull(transport, "transport");
    this.refine = requireNonNull(refine, "refine");
    this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout");
    this.requestTimeout = requireNonNull(requestTimeout, "requestTimeout");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * POSTs {@code body} as JSON and completes with {@code parse} applied to the JSON response, or
   * exceptionally with a {@link ProviderException} (from the exchange or thrown by {@code parse}).
   * Cancelling the returned future aborts the exchange.
   */
  public <T> CompletableFuture<T> postJson(
      URI uri,
      Map<String, String> headers,
      Object body,
      Origin origin,
      CallContext context,
      Function<JsonNode, T> parse) {
    CompletableFuture<JsonNode> exchange = postJson(uri, headers, body, origin, context);
    CompletableFuture<T> result = new CompletableFuture<>();
    exchange.whenComplete(
        (json, failure) -> {
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
    result.whenComplete(
        (r, e) -> {
          if (result.isCancelled()) {
            exchange.cancel(true);
          }
        });
    return result;
  }

  /**
   * POSTs {@code body} as JSON and completes with the parsed JSON response, or exceptionally with a
   * {@link ProviderException}. Cancelling the returned future aborts the exchange.
   */
  public CompletableFuture<JsonNode> postJson(
      URI uri, Map<String, String> headers, Object body, Origin origin, CallContext context) {
    return post(uri, headers, body, origin, context, UpstreamHttp::tree);
  }

  /**
   * POSTs {@code body} as JSON and completes with what {@code read} makes of the response, read
   * with Jackson's streaming parser straight from the received bytes (no {@code JsonNode} tree):
   * {@code read} gets the parser on the body's opening {@code START_OBJECT} and must leave it on
   * the matching {@code END_OBJECT}. A body that is not one JSON object (or has trailing tokens)
   * and a {@link java.io.IOException} from the parser fail with {@link
   * ProviderException.InvalidResponse}; anything {@code read} throws is reported as {@link
   * #postJson(URI, Map, Object, Origin, CallContext, Function)} reports a failing parse. Runs
   * {@code read} on the event loop: it must not block. Cancelling the future aborts the exchange.
   */
  public <T> CompletableFuture<T> postJsonStreaming(
      URI uri,
      Map<String, String> headers,
      Object body,
      Origin origin,
      CallContext context,
      ParserReader<T> read) {
    return post(
        uri,
        headers,
        body,
        origin,
        context,
        (bytes, offset, length, o) -> streamed(bytes, offset, length, o, read));
  }

  /**
   * Reads one JSON object off a streaming parser positioned on its {@code START_OBJECT}. Runs on an
   * event loop; must not block.
   */
  @FunctionalInterface
  public interface ParserReader<T> {
    T read(JsonParser parser) throws java.io.IOException;
  }

  /** Reads a whole 2xx body. */
  @FunctionalInterface
  private interface BodyReader<T> {
    T read(byte[] bytes, int offset, int length, Origin origin) throws java.io.IOException;
  }

  private static JsonNode tree(byte[] bytes, int offset, int length, Origin origin) {
    JsonNode json = Json.tryParse(bytes, offset, length);
    if (json == null || !json.isObject()) {
      throw notAnObject(origin);
    }
    return json;
  }

  private static <T> T streamed(
      byte[] bytes, int offset, int length, Origin origin, ParserReader<T> read) {
    try (JsonParser p = Json.MAPPER.getFactory().createParser(bytes, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw notAnObject(origin);
      }
      T value = read.read(p);
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw notAnObject(origin);
      }
      return value;
    } catch (java.io.IOException e) {
      throw notAnObject(origin);
    }
  }

  private static ProviderException.InvalidResponse notAnObject(Origin origin) {
    return new ProviderException.InvalidResponse(
        origin, origin.provider() + " returned a body that is not a JSON object", null);
  }

  private <T> CompletableFuture<T> post(
      URI uri,
      Map<String, String> headers,
      Object body,
      Origin origin,
      CallContext context,
      BodyReader<T> reader) {
    CompletableFuture<T> result = new CompletableFuture<>();
    JsonExchange<T> exchange;
    try {
      exchange =
          new JsonExchange<>(
              prepare(uri, headers, body, origin, context, "application/json"), result, reader);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(refine.apply(e));
    }
    result.whenComplete(
        (r, e) -> {
          if (result.isCancelled()) {
            exchange.cancel();
          }
        });
    exchange.start();
    return result;
  }

  /**
   * POSTs {@code body} as JSON and returns a cold publisher of the streamed response, decoded by a
   * fresh decoder from {@code decoders}. The request is sent when the publisher is subscribed; the
   * stream fails with a {@link ProviderException} for an error status, a transport failure, a
   * decoding failure, or a body that ends before the decoder saw the end marker.
   */
  public Flow.Publisher<StreamEvent> postStream(
      URI uri,
      Map<String, String> headers,
      Object body,
      Origin origin,
      CallContext context,
      Supplier<StreamDecoder> decoders) {
    return new EventPublisher<>(
        out -> {
          StreamExchange exchange =
              new StreamExchange(
                  prepare(
                      uri,
                      headers,
                      body,
                      origin,
                      context,
                      "text/event-stream, application/x-ndjson, application/json"),
                  out,
                  decoders.get());
          out.onCancel(exchange::cancel);
          out.onDemand(exchange::resume);
          exchange.start();
        });
  }

  /**
   * Closes the idle pooled connections. Exchanges in flight run to their end and close theirs; a
   * call made after this still works (a provider replaced by a config reload may finish a retry) on
   * connections that close once idle.
   */
  @Override
  public void close() {
    lastRoute = null;
    pools.values().forEach(ConnectionPool::close);
    pools.clear();
  }

  /** Idle pooled connections across origins and loops (tests; racy off the loops). */
  int idleConnections() {
    return pools.values().stream().mapToInt(ConnectionPool::idleConnections).sum();
  }

  private Exchange.Request prepare(
      URI uri,
      Map<String, String> headers,
      Object body,
      Origin origin,
      CallContext context,
      String accept) {
    Duration timeout = requestTimeout;
    var left = context.timeLeft(clock);
    if (left.isPresent()) {
      if (left.get().isZero()) {
        throw new ProviderException.Timeout(
            origin,
            "the caller's deadline passed before the request to " + origin.provider() + " was sent",
            null);
      }
      timeout = left.get().compareTo(timeout) < 0 ? left.get() : timeout;
    }
    Route route = lastRoute;
    if (route == null || !route.uri().equals(uri)) {
      route = route(uri);
      lastRoute = route;
    }
    ConnectionPool pool = route.pool();
    byte[] json = Json.writeBytes(body);
    HttpHeaders h =
        DefaultHttpHeadersFactory.headersFactory()
            .newHeaders()
            .set(HttpHeaderNames.HOST, route.hostHeader())
            .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
            .set(HttpHeaderNames.ACCEPT, accept)
            .set(HttpHeaderNames.USER_AGENT, "provider-gateway")
            .set("x-request-id", context.requestId());
    if (context.traceparent() != null) {
      h.set("traceparent", context.traceparent());
    }
    headers.forEach(h::set);
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
    return new Exchange.Request(
        origin,
        pool,
        pool.loopFor(transport.callersLoop()),
        route.path(),
        h,
        Unpooled.wrappedBuffer(json),
        timeout.toNanos());
  }

  /** The pool, request path and host header for {@code uri}; the pool is made on first use. */
  private Route route(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean secure = scheme.equals("https");
    if (!secure && !scheme.equals("http") || uri.getHost() == null) {
      throw new IllegalArgumentException("not an http(s) URL with a host: " + uri);
    }
    int port = uri.getPort() >= 0 ? uri.getPort() : secure ? 443 : 80;
    ConnectionPool pool =
        pools.computeIfAbsent(
            scheme + "://" + uri.getHost() + ":" + port,
            k ->
                new ConnectionPool(
                    transport,
                    uri.getHost(),
                    port,
                    secure ? tls() : null,
                    connectTimeout,
                    poolLimits));
    String path =
        (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
            + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    return new Route(uri, pool, path, pool.hostHeader(secure));
  }

  private static SslContext tls() {
    SslContext t = tls;
    if (t == null) {
      synchronized (UpstreamHttp.class) {
        t = tls;
        if (t == null) {
          try {
            tls =
                t = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
          } catch (SSLException e) {
            throw new IllegalStateException(
                "cannot set up TLS for upstream requests: " + HttpErrors.words(e), e);
          }
        }
      }
    }
    return t;
  }

  /** A non-streamed exchange: the whole body, at most {@link #MAX_BODY_BYTES}, parsed as JSON. */
  private final class JsonExchange<T> extends Exchange {
    private final CompletableFuture<T> result;
    private final BodyReader<T> reader;
    private HttpResponse head;
    private ByteBuf bytes;

    JsonExchange(Exchange.Request r, CompletableFuture<T> result, BodyReader<T> reader) {
      super(r);
      this.result = result;
      this.reader = reader;
    }

    @Override
    void onHead(HttpResponse response) {
      head = response;
      long length = response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH, 1024);
      bytes = Unpooled.buffer((int) Math.min(Math.max(length, 64), 1 << 20));
    }

    @Override
    void onContent(ByteBuf content) {
      if (bytes.readableBytes() + content.readableBytes() > MAX_BODY_BYTES) {
        fail(
            new ProviderException.InvalidResponse(
                origin,
                origin.provider()
                    + " sent a response body over "
                    + MAX_BODY_BYTES
                    + " bytes; it was not read",
                null));
        return;
      }
      bytes.writeBytes(content);
    }

    @Override
    void onEnd() {
      int status = head.status().code();
      if (status >= 300) {
        result.completeExceptionally(
            refine.apply(
                HttpErrors.fromResponse(
                    origin,
                    status,
                    jdkHeaders(head.headers()),
                    bytes.toString(StandardCharsets.UTF_8))));
        return;
      }
      // Parsed from the bytes: no intermediate String on the hot path.
      T value;
      try {
        value =
            reader.read(
                bytes.array(),
                bytes.arrayOffset() + bytes.readerIndex(),
                bytes.readableBytes(),
                origin);
      } catch (java.io.IOException | RuntimeException e) {
        result.completeExceptionally(
            refine.apply(e instanceof RuntimeException r ? r : notAnObject(origin)));
        return;
      }
      result.complete(value);
    }

    @Override
    void onFailure(RuntimeException failure) {
      result.completeExceptionally(refine.apply(failure));
    }

    @Override
    boolean wantsData() {
      return true;
    }
  }

  /**
   * A streamed exchange: the body split into lines and decoded into events as the publisher's
   * subscriber asks for them; an error status's body is read whole and reported.
   */
  private final class StreamExchange extends Exchange {
    private final EventPublisher<StreamEvent> out;
    private final StreamDecoder decoder;
    private LineSplitter lines;
    private HttpResponse head;
    private ByteBuf errorBody;

    StreamExchange(Exchange.Request r, EventPublisher<StreamEvent> out, StreamDecoder decoder) {
      super(r);
      this.out = out;
      this.decoder = decoder;
    }

    @Override
    void onHead(HttpResponse response) {
      if (response.status().code() >= 300) {
        head = response; // only an error needs it at the end: a held stream does not keep it
        errorBody = Unpooled.buffer(256);
      } else {
        lines = new LineSplitter();
      }
    }

    @Override
    void onContent(ByteBuf content) {
      if (errorBody != null) {
        if (errorBody.readableBytes() + content.readableBytes() > MAX_BODY_BYTES) {
          fail(
              new ProviderException.InvalidResponse(
                  origin,
                  origin.provider() + " sent an error body over " + MAX_BODY_BYTES + " bytes",
                  null));
          return;
        }
        errorBody.writeBytes(content);
        return;
      }
      try {
        lines.feed(content.nioBuffer(), line -> decoder.onLine(line, out::emit));
      } catch (CharacterCodingException e) {
        fail(
            new ProviderException.InvalidResponse(
                origin, origin.provider() + " sent a stream that is not valid UTF-8", e));
      } catch (LineSplitter.LineTooLong | SseDecoder.EventTooLarge e) {
        fail(
            new ProviderException.InvalidResponse(
                origin,
                origin.provider() + " sent an oversized stream: " + HttpErrors.words(e),
                e));
      } catch (RuntimeException e) {
        fail(HttpErrors.fromThrowable(origin, e));
      }
    }

    @Override
    void onEnd() {
      if (errorBody != null) {
        out.fail(
            refine.apply(
                HttpErrors.fromResponse(
                    origin,
                    head.status().code(),
                    jdkHeaders(head.headers()),
                    errorBody.toString(StandardCharsets.UTF_8))));
        return;
      }
      try {
        lines.finish(line -> decoder.onLine(line, out::emit));
        if (decoder instanceof SseDecoder sse) {
          sse.flush(out::emit);
        }
      } catch (CharacterCodingException e) {
        out.fail(
            refine.apply(
                new ProviderException.InvalidResponse(
                    origin, origin.provider() + " sent a stream that is not valid UTF-8", e)));
        return;
      } catch (RuntimeException e) {
        out.fail(refine.apply(HttpErrors.fromThrowable(origin, e)));
        return;
      }
      if (decoder.finished()) {
        out.complete();
      } else {
        // The body ended without the protocol's end marker: the upstream died mid-stream.
        out.fail(
            refine.apply(
                new ProviderException.Connection(
                    origin, origin.provider() + " closed the stream before it ended", null)));
      }
    }

    @Override
    void onFailure(RuntimeException failure) {
      out.fail(refine.apply(failure));
    }

    @Override
    boolean wantsData() {
      return errorBody != null || out.wantsMore();
    }
  }
}
