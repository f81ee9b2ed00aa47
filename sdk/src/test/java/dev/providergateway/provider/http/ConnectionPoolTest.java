package dev.providergateway.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.http.TestStreams.CancelAfterFirst;
import dev.providergateway.provider.http.TestStreams.LineEvents;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.FakeUpstream.Side;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The loop-confined connection pool's edges on real sockets, on a one-loop transport so that every
 * call shares one loop's bounds: a connection the upstream closes while idle, the idle timeout,
 * exhaustion (bounded connections, bounded waiters, a clear error past both), a waiter cancelled,
 * and no connection leaked on any path (counted on the fake upstream's side of each socket).
 */
class ConnectionPoolTest {
  private static final Origin ORIGIN = new Origin("up", "m", 0);
  private static final CallContext CONTEXT = new CallContext("req-9", null);

  private final UpstreamTransport transport = UpstreamTransport.create(1, false);
  private final List<AutoCloseable> closers = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closers) {
      c.close();
    }
    transport.close();
  }

  private UpstreamHttp http(ConnectionPool.Limits limits, Duration requestTimeout) {
    UpstreamHttp http =
        new UpstreamHttp(
            transport, Duration.ofSeconds(2), requestTimeout, Clock.systemUTC(), t -> t, limits);
    closers.add(0, http); // closed before the upstream
    return http;
  }

  private FakeUpstream upstream() {
    FakeUpstream up = FakeUpstream.startTracked();
    closers.add(up);
    return up;
  }

  private static long open(FakeUpstream up) {
    return up.connections().stream().filter(FakeUpstream.Connection::open).count();
  }

  private static void eventually(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s: " + what);
      }
      Thread.sleep(10);
    }
  }

  private static CompletableFuture<JsonNode> post(UpstreamHttp http, URI uri, int i) {
    return http.postJson(uri, Map.of(), Map.of("i", i), ORIGIN, CONTEXT);
  }

  @Test
  void acquire_upstreamClosedTheIdleConnection_leavesThePoolAndNextCallOpensAFreshOne()
      throws Exception {
    FakeUpstream up = upstream();
    up.otherwise(r -> Response.json(200, "{\"ok\":true}"));
    UpstreamHttp http = http(ConnectionPool.Limits.DEFAULTS, Duration.ofSeconds(5));
    URI uri = up.baseUri().resolve("/v1/x");
    post(http, uri, 1).get(5, TimeUnit.SECONDS);
    eventually("the connection is idle in the pool", () -> http.idleConnections() == 1);
    // The client can read the whole response before the upstream's handler thread has returned;
    // until it has, the upstream counts the connection as serving and would not close it.
    eventually("the upstream finished serving", () -> up.activeResponses() == 0);

    up.closeIdleConnections();
    eventually("the pool dropped the closed connection", () -> http.idleConnections() == 0);
    assertThat(post(http, uri, 2).get(5, TimeUnit.SECONDS).path("ok").asBoolean()).isTrue();

    List<FakeUpstream.Connection> conns = up.connections();
    assertThat(conns).hasSize(2);
    assertThat(conns.get(0).closedBy()).isEqualTo(Side.SERVER);
    assertThat(conns.get(0).requests()).isEqualTo(1);
    assertThat(conns.get(1).requests()).as("sent once, on the fresh connection").isEqualTo(1);
    assertThat(up.requestCount()).isEqualTo(2);
  }

  @Test
  void idleTimeout_unusedConnectionClosedByTheClient() throws Exception {
    FakeUpstream up = upstream();
    up.otherwise(r -> Response.json(200, "{}"));
    UpstreamHttp http =
        http(new ConnectionPool.Limits(8, 8, Duration.ofMillis(200)), Duration.ofSeconds(5));
    post(http, up.baseUri().resolve("/v1/x"), 1).get(5, TimeUnit.SECONDS);

    eventually(
        "the idle connection is closed by the client",
        () -> up.connections().get(0).closedBy() == Side.CLIENT);
    assertThat(http.idleConnections()).isZero();
  }

  @Test
  void idleTimeout_connectionInUse_notClosed() throws Exception {
    FakeUpstream up = upstream();
    up.otherwise(r -> Response.json(200, "{}").withDelayBeforeHeaders(Duration.ofMillis(800)));
    UpstreamHttp http =
        http(new ConnectionPool.Limits(8, 8, Duration.ofMillis(100)), Duration.ofSeconds(5));
    // Warm one connection so the sweep runs while the next call uses it.
    URI uri = up.baseUri().resolve("/v1/x");
    post(http, uri, 1).get(5, TimeUnit.SECONDS);
    post(http, uri, 2).get(5, TimeUnit.SECONDS);
    assertThat(up.requestCount()).isEqualTo(2);
  }

  @Test
  void acquire_connectionsAndWaitersAllTaken_failsAtOnceWithAClearError() throws Exception {
    FakeUpstream up = upstream();
    up.otherwise(
        r ->
            r.json().path("i").asInt() == 1
                ? Response.json(200, "{\"n\":1}").withDelayBeforeHeaders(Duration.ofMillis(1500))
                : Response.json(200, "{\"n\":" + r.json().path("i").asInt() + "}"));
    UpstreamHttp http = http(new ConnectionPool.Limits(1, 1, IDLE_LONG), Duration.ofSeconds(10));
    URI uri = up.baseUri().resolve("/v1/x");

    CompletableFuture<JsonNode> holder = post(http, uri, 1);
    eventually("the first request reached the upstream", () -> up.requestCount() == 1);
    CompletableFuture<JsonNode> waiter = post(http, uri, 2);
    long started = System.nanoTime();
    assertThatThrownBy(() -> post(http, uri, 3).get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ProviderException.Unavailable.class)
        .hasMessageContaining("all 1 connections to 127.0.0.1:")
        .hasMessageContaining("are busy and 1 requests already wait for one");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    assertThat(waiter).isNotDone();

    assertThat(holder.get(5, TimeUnit.SECONDS).path("n").asInt()).isEqualTo(1);
    assertThat(waiter.get(5, TimeUnit.SECONDS).path("n").asInt()).isEqualTo(2);
    assertThat(up.connections()).as("the waiter got the holder's connection").hasSize(1);
    assertThat(up.connections().get(0).requests()).isEqualTo(2);
  }

  @Test
  void acquire_waiterCancelled_neverSentAndItsPlaceFreed() throws Exception {
    FakeUpstream up = upstream();
    up.otherwise(
        r ->
            r.json().path("i").asInt() == 1
                ? Response.json(200, "{\"n\":1}").withDelayBeforeHeaders(Duration.ofMillis(1000))
                : Response.json(200, "{\"n\":" + r.json().path("i").asInt() + "}"));
    UpstreamHttp http = http(new ConnectionPool.Limits(1, 1, IDLE_LONG), Duration.ofSeconds(10));
    URI uri = up.baseUri().resolve("/v1/x");

    CompletableFuture<JsonNode> holder = post(http, uri, 1);
    eventually("the first request reached the upstream", () -> up.requestCount() == 1);
    CompletableFuture<JsonNode> cancelled = post(http, uri, 2);
    Thread.sleep(50); // let it join the wait queue on the loop
    cancelled.cancel(true);
    // The wait queue (one place) is free again: this one waits instead of failing.
    CompletableFuture<JsonNode> next = post(http, uri, 3);

    assertThat(holder.get(5, TimeUnit.SECONDS).path("n").asInt()).isEqualTo(1);
    assertThat(next.get(5, TimeUnit.SECONDS).path("n").asInt()).isEqualTo(3);
    assertThat(up.requestCount()).as("the cancelled waiter sent nothing").isEqualTo(2);
    assertThat(up.connections()).hasSize(1);
  }

  @Test
  void waiter_deadlinePassesWhileWaiting_timeoutAndNothingSent() throws Exception {
    FakeUpstream up = upstream();
    up.otherwise(r -> Response.json(200, "{}").withDelayBeforeHeaders(Duration.ofMillis(1500)));
    UpstreamHttp http = http(new ConnectionPool.Limits(1, 4, IDLE_LONG), Duration.ofSeconds(10));
    URI uri = up.baseUri().resolve("/v1/x");

    CompletableFuture<JsonNode> holder = post(http, uri, 1);
    eventually("the first request reached the upstream", () -> up.requestCount() == 1);
    CallContext soon = new CallContext("req-10", java.time.Instant.now().plusMillis(300));
    CompletableFuture<JsonNode> waiter = http.postJson(uri, Map.of(), Map.of(), ORIGIN, soon);
    assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ProviderException.Timeout.class);
    assertThat(holder).as("the holder still waits for its answer").isNotDone();
    holder.get(5, TimeUnit.SECONDS);
    assertThat(up.requestCount()).as("the timed-out waiter sent nothing").isEqualTo(1);
    // Its place in the queue is gone: the next call is served on the one connection.
    post(http, uri, 3).get(5, TimeUnit.SECONDS);
    assertThat(up.connections()).hasSize(1);
  }

  @Test
  void everyPath_successErrorCancelDeadline_noConnectionLeftOpenAfterClose() throws Exception {
    FakeUpstream up = upstream();
    up.otherwise(
        r ->
            switch (r.path()) {
              case "/v1/ok" -> Response.json(200, "{\"ok\":true}");
              case "/v1/err" -> Response.json(500, "{\"error\":{\"message\":\"boom\"}}");
              case "/v1/slow" ->
                  Response.json(200, "{}").withDelayBeforeHeaders(Duration.ofSeconds(3));
              default -> Response.ndjson(List.of("{\"t\":\"a\"}")).thenHang("\n");
            });
    UpstreamHttp http = http(new ConnectionPool.Limits(4, 64, IDLE_LONG), Duration.ofMillis(400));
    URI base = up.baseUri();
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(post(http, base.resolve("/v1/ok"), i));
      calls.add(post(http, base.resolve("/v1/err"), i));
      calls.add(post(http, base.resolve("/v1/slow"), i)); // times out
      CompletableFuture<JsonNode> cancelled = post(http, base.resolve("/v1/slow"), i);
      cancelled.cancel(true);
      CompletableFuture<Boolean> streamed = new CompletableFuture<>();
      http.postStream(
              base.resolve("/v1/stream"), Map.of(), Map.of(), ORIGIN, CONTEXT, LineEvents::new)
          .subscribe(new CancelAfterFirst(streamed));
      calls.add(streamed);
    }
    for (CompletableFuture<?> c : calls) {
      try {
        c.get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException expected) {
        // errors and timeouts are part of the mix
      }
    }
    eventually(
        "only pooled idle connections stay open",
        () -> open(up) == http.idleConnections() && open(up) <= 4);
    assertThat(up.connections().size()).isGreaterThan(4);
    // A final burst still works: the pool's counts came back after every path.
    for (int i = 0; i < 4; i++) {
      assertThat(
              post(http, base.resolve("/v1/ok"), i).get(5, TimeUnit.SECONDS).path("ok").asBoolean())
          .isTrue();
    }
    http.close();
    eventually("every connection is closed", () -> open(up) == 0);
  }

  private static final Duration IDLE_LONG = Duration.ofSeconds(30);
}
