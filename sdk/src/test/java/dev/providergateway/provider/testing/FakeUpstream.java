package dev.providergateway.provider.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.providergateway.provider.http.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A scripted upstream HTTP server on loopback for provider tests. Each request gets the next queued
 * {@link Response}, written part by part (so SSE and NDJSON framing, pacing and mid-stream deaths
 * are real bytes on a real socket). Requests are recorded; a client that aborts while the server
 * still writes counts down {@link #disconnected}.
 *
 * <p>{@link #startTracked()} puts a TCP relay in front of the server that sees every client
 * connection: which are open, and which side closed each one and when. A client that closes a
 * connection interrupts the response being written on it (even one still waiting to send its
 * headers), and {@link Response#thenReset()} ends a connection with a TCP reset. Fault-injection
 * tests use it to prove that the client released its upstream connections.
 */
public final class FakeUpstream implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "fake-upstream");
            t.setDaemon(true);
            return t;
          });
  private final BlockingQueue<Response> responses = new LinkedBlockingQueue<>();
  private final BlockingQueue<RecordedRequest> requests = new LinkedBlockingQueue<>();

  /** Counted down each time a client went away while a response was being written. */
  public volatile CountDownLatch disconnected = new CountDownLatch(1);

  private final AtomicInteger requestCount = new AtomicInteger();
  private final AtomicInteger activeResponses = new AtomicInteger();
  private final AtomicLong partsWritten = new AtomicLong();
  private volatile Function<RecordedRequest, Response> fallback;
  private final ConnectionRelay relay;

  private FakeUpstream(boolean tracked) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    relay = tracked ? new ConnectionRelay(server.getAddress().getPort()) : null;
  }

  /** Starts a server on a free loopback port. */
  public static FakeUpstream start() {
    try {
      return new FakeUpstream(false);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts a server on a free loopback port behind a relay that tracks each connection. */
  public static FakeUpstream startTracked() {
    try {
      return new FakeUpstream(true);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The server's base URI, e.g. {@code http://127.0.0.1:41234}. */
  public URI baseUri() {
    int port = relay != null ? relay.port() : server.getAddress().getPort();
    return URI.create("http://127.0.0.1:" + port);
  }

  /**
   * Answers requests that find the queue empty with {@code responder} (called on the request's
   * thread as it arrives) instead of a 500; useful when the number of requests is what a test
   * measures.
   */
  public FakeUpstream otherwise(Function<RecordedRequest, Response> responder) {
    this.fallback = responder;
    return this;
  }

  /** How many requests arrived in all (taken or not). */
  public int requestCount() {
    return requestCount.get();
  }

  /** How many responses are being written right now. */
  public int activeResponses() {
    return activeResponses.get();
  }

  /** How many response parts were written (flushed to the socket) in all. */
  public long partsWritten() {
    return partsWritten.get();
  }

  /** Every connection seen so far, oldest first ({@link #startTracked()} only). */
  public List<Connection> connections() {
    if (relay == null) {
      throw new IllegalStateException(
          "connections are tracked only by FakeUpstream.startTracked()");
    }
    return relay.snapshot();
  }

  /** Which side closed a connection first. */
  public enum Side {
    /** The HTTP client (the code under test) closed or reset it. */
    CLIENT,
    /** The fake closed or reset it (an aborted or reset response, or {@link #close()}). */
    SERVER
  }

  /**
   * One client connection seen by the relay.
   *
   * @param id its number, from 1
   * @param openedNanos {@link System#nanoTime()} when it was accepted
   * @param closedNanos {@link System#nanoTime()} when it was closed, 0 while it is open
   * @param closedBy who closed it, null while it is open
   * @param requests how many requests it carried
   */
  public record Connection(
      int id, long openedNanos, long closedNanos, Side closedBy, int requests) {
    public boolean open() {
      return closedBy == null;
    }
  }

  /** Queues responses, served in order to the next requests. */
  public FakeUpstream enqueue(Response... next) {
    responses.addAll(List.of(next));
    return this;
  }

  /** The next recorded request, waiting up to 5 s. */
  public RecordedRequest takeRequest() throws InterruptedException {
    RecordedRequest r = requests.poll(5, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("the fake upstream received no request within 5 s");
    }
    return r;
  }

  /** How many requests arrived so far and were not taken. */
  public int pendingRequests() {
    return requests.size();
  }

  /**
   * Closes every kept-alive connection that is not serving a response, as an upstream's idle
   * timeout or restart does. Behind {@link #startTracked()} only.
   */
  public void closeIdleConnections() {
    if (relay == null) {
      throw new IllegalStateException("closeIdleConnections needs startTracked()");
    }
    relay.closeIdle();
  }

  @Override
  public void close() {
    if (relay != null) {
      relay.close();
    }
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    activeResponses.incrementAndGet();
    ConnectionRelay.Relayed via =
        relay == null ? null : relay.byServerSidePort(exchange.getRemoteAddress().getPort());
    if (via != null) {
      via.serving(Thread.currentThread());
    }
    try {
      respond(exchange, via);
    } finally {
      if (via != null) {
        via.serving(null);
        // A close by the client may have interrupted this pooled thread; the next response must not
        // see it.
        Thread.interrupted();
      }
      activeResponses.decrementAndGet();
    }
  }

  private void respond(HttpExchange exchange, ConnectionRelay.Relayed via) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    RecordedRequest recorded =
        new RecordedRequest(
            exchange.getRequestMethod(),
            exchange.getRequestURI().getPath(),
            exchange.getRequestURI().getRawQuery(),
            exchange.getRequestHeaders(),
            new String(body, StandardCharsets.UTF_8));
    requests.add(recorded);
    requestCount.incrementAndGet();
    Response response = responses.poll();
    Function<RecordedRequest, Response> responder = fallback;
    if (response == null && responder != null) {
      response = responder.apply(recorded);
    }
    if (response == null) {
      response =
          Response.json(500, "{\"error\":{\"message\":\"fake upstream: no response queued\"}}");
    }
    try {
      if (!response.delayBeforeHeaders.isZero()) {
        sleep(response.delayBeforeHeaders);
      }
      response.headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      exchange.sendResponseHeaders(response.status, response.contentLength());
      OutputStream out = exchange.getResponseBody();
      for (Part part : response.parts) {
        if (!part.delay.isZero()) {
          sleep(part.delay);
        }
        out.write(part.text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        partsWritten.incrementAndGet();
      }
      if (response.hang) {
        // Keep the response open, writing harmless whitespace, until the client goes away.
        while (true) {
          sleep(Duration.ofMillis(20));
          out.write(response.heartbeat.getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      }
    } catch (IOException e) {
      disconnected.countDown();
      exchange.close();
      return;
    }
    if (response.abort) {
      if (response.reset && via != null) {
        // The relay forwards what was written, then resets the client's connection.
        via.resetWhenServerCloses();
      }
      // Throwing without closing the exchange makes the server drop the socket without the
      // final chunk: the body ends unfinished, as when an upstream dies mid-stream.
      throw new IOException("fake upstream: connection dropped on purpose");
    }
    exchange.close();
  }

  private static void sleep(Duration d) throws IOException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** One request the fake received. */
  public record RecordedRequest(
      String method, String path, String query, Map<String, List<String>> headers, String body) {
    /** The body parsed as JSON. */
    public JsonNode json() {
      JsonNode node = Json.tryParse(body);
      if (node == null) {
        throw new AssertionError("request body is not JSON: " + body);
      }
      return node;
    }

    /** The first value of a header (case-insensitive), or null. */
    public String header(String name) {
      for (var e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().isEmpty() ? null : e.getValue().get(0);
        }
      }
      return null;
    }
  }

  /** A piece of body text and the pause before it. */
  public record Part(String text, Duration delay) {}

  /** A scripted response; build with the static factories and the {@code with...} methods. */
  public static final class Response {
    private final int status;
    private final Map<String, String> headers;
    private final List<Part> parts;
    private boolean hang;
    private boolean abort;
    private boolean reset;
    private String heartbeat = "\n";
    private Duration delayBeforeHeaders = Duration.ZERO;
    private boolean fixedLength;

    private Response(int status, Map<String, String> headers, List<Part> parts) {
      this.status = status;
      this.headers = new java.util.LinkedHashMap<>(headers);
      this.parts = new ArrayList<>(parts);
    }

    /** A complete JSON response with a content length. */
    public static Response json(int status, String body) {
      Response r =
          new Response(
              status,
              Map.of("content-type", "application/json"),
              List.of(new Part(body, Duration.ZERO)));
      r.fixedLength = true;
      return r;
    }

    /** A complete response with any content type. */
    public static Response text(int status, String contentType, String body) {
      Response r =
          new Response(
              status, Map.of("content-type", contentType), List.of(new Part(body, Duration.ZERO)));
      r.fixedLength = true;
      return r;
    }

    /** A chunked streaming response whose parts are written one by one, {@code gap} apart. */
    public static Response stream(
        int status, String contentType, Duration gap, List<String> parts) {
      List<Part> list = new ArrayList<>();
      for (String p : parts) {
        list.add(new Part(p, gap));
      }
      return new Response(status, Map.of("content-type", contentType), list);
    }

    /** An SSE response: each element is one whole event (its lines and blank line included). */
    public static Response sse(List<String> events) {
      return stream(200, "text/event-stream", Duration.ZERO, events);
    }

    /** An NDJSON response: each element is one line of JSON (a newline is added). */
    public static Response ndjson(List<String> lines) {
      return stream(
          200, "application/x-ndjson", Duration.ZERO, lines.stream().map(l -> l + "\n").toList());
    }

    /** Adds a response header. */
    public Response withHeader(String name, String value) {
      headers.put(name, value);
      return this;
    }

    /**
     * After the parts, keeps the connection open (writing {@code heartbeat}) until the client
     * leaves.
     */
    public Response thenHang(String heartbeatText) {
      this.hang = true;
      this.heartbeat = heartbeatText;
      this.fixedLength = false;
      return this;
    }

    /** After the parts, drops the connection without ending the body. */
    public Response thenAbort() {
      this.abort = true;
      this.fixedLength = false;
      return this;
    }

    /**
     * After the parts, resets the connection (a TCP RST, as when an upstream process dies) once the
     * parts reached the client. Behind {@link #startTracked()} only; otherwise as {@link
     * #thenAbort()}.
     */
    public Response thenReset() {
      this.abort = true;
      this.reset = true;
      this.fixedLength = false;
      return this;
    }

    /** Waits this long before sending the headers. */
    public Response withDelayBeforeHeaders(Duration delay) {
      this.delayBeforeHeaders = delay;
      return this;
    }

    private long contentLength() {
      if (!fixedLength) {
        return 0;
      }
      long n = 0;
      for (Part p : parts) {
        n += p.text.getBytes(StandardCharsets.UTF_8).length;
      }
      return n == 0 ? -1 : n;
    }
  }
}
