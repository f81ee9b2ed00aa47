package dev.providergateway.resilience;

import static dev.providergateway.resilience.FaultMatrixTest.Conn.CLOSED_BY_GATEWAY;
import static dev.providergateway.resilience.FaultMatrixTest.Conn.CLOSED_BY_UPSTREAM;
import static dev.providergateway.resilience.FaultMatrixTest.Conn.RELEASED;
import static dev.providergateway.v1.CircuitState.CIRCUIT_STATE_CLOSED;
import static io.grpc.Status.Code.DEADLINE_EXCEEDED;
import static io.grpc.Status.Code.INTERNAL;
import static io.grpc.Status.Code.RESOURCE_EXHAUSTED;
import static io.grpc.Status.Code.UNAVAILABLE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Connection;
import dev.providergateway.provider.testing.FakeUpstream.Side;
import dev.providergateway.testing.Requests;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CircuitState;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault-injection matrix: every fault profile of the faulty upstream against Chat, Stream and a
 * Converse turn, through the real OpenAI-compatible provider over real HTTP. Each case checks what
 * the caller saw (status, reason, RetryInfo, output before the error), that the call ended within
 * its time bounds, how many upstream requests were made, what became of each upstream connection,
 * the breaker's state afterwards, that no timer, thread or slot was left behind (a probe call
 * afterwards must be served, with a concurrency limit of one call), and that the gateway still
 * serves.
 *
 * <p>Settings: 2 retries with 10 ms, 20 ms backoff (no jitter), Retry-After honoured up to 2 s,
 * first-token and idle watchdogs of 300 ms (the oversized profile excepted), a default deadline of
 * 1.5 s (the calls set none), a breaker that opens after 3 counted failures, and limits of one call
 * at a time. One call counts at most once toward a breaker however many attempts it made, and rate
 * limits not at all, so no single faulty call opens it: every row expects it closed (the per-call
 * counting itself is proven in {@link DeploymentsTest} and {@link BreakerLifecycleTest}).
 */
class FaultMatrixTest {
  private static final Duration CLOSE_WITHIN = Duration.ofMillis(100);

  /** What became of the upstream connections of the failed call. */
  enum Conn {
    /** The gateway closed every connection it used (it had to abort the response). */
    CLOSED_BY_GATEWAY,
    /** Each response was complete; the connection went back to the pool (the probe reuses it). */
    RELEASED,
    /** The upstream reset every connection it used. */
    CLOSED_BY_UPSTREAM
  }

  enum Surface {
    CHAT,
    STREAM,
    CONVERSE_TURN
  }

  /**
   * One expectation.
   *
   * @param attempts upstream requests made
   * @param minMs the call took at least this long (a honoured Retry-After, a deadline)
   * @param maxMs and at most this long
   * @param output whether text reached the caller before the error
   * @param retryInfo whether the error carries RetryInfo
   */
  record Expect(
      Status.Code code,
      String reason,
      int attempts,
      Conn conn,
      long minMs,
      long maxMs,
      CircuitState breaker,
      boolean output,
      boolean retryInfo) {}

  private static Expect expect(
      Status.Code code,
      String reason,
      int attempts,
      Conn conn,
      long minMs,
      long maxMs,
      CircuitState breaker,
      boolean output,
      boolean retryInfo) {
    return new Expect(code, reason, attempts, conn, minMs, maxMs, breaker, output, retryInfo);
  }

  // One row per fault: the Chat expectation, then the one for Stream and a Converse turn alike.
  private static final Object[][] TABLE = {
    {
      Fault.HTTP_500,
      expect(
          UNAVAILABLE,
          "PROVIDER_UNAVAILABLE",
          3,
          RELEASED,
          0,
          1200,
          CIRCUIT_STATE_CLOSED,
          false,
          false),
      expect(
          UNAVAILABLE,
          "PROVIDER_UNAVAILABLE",
          3,
          RELEASED,
          0,
          1200,
          CIRCUIT_STATE_CLOSED,
          false,
          false)
    },
    // Retry-After 1 s is honoured once; a second wait would pass the 1.5 s deadline, so no third
    // attempt.
    {
      Fault.HTTP_503_RETRY_AFTER,
      expect(
          UNAVAILABLE,
          "PROVIDER_UNAVAILABLE",
          2,
          RELEASED,
          1000,
          1450,
          CIRCUIT_STATE_CLOSED,
          false,
          true),
      expect(
          UNAVAILABLE,
          "PROVIDER_UNAVAILABLE",
          2,
          RELEASED,
          1000,
          1450,
          CIRCUIT_STATE_CLOSED,
          false,
          true)
    },
    // retry-after-ms 150 cools the only deployment down; nothing else can serve, so the call
    // sleeps out the cooldown (within rate_limit_max_wait and the deadline), twice.
    {
      Fault.HTTP_429_RETRY_AFTER,
      expect(
          RESOURCE_EXHAUSTED,
          "PROVIDER_RATE_LIMIT",
          3,
          RELEASED,
          300,
          1200,
          CIRCUIT_STATE_CLOSED,
          false,
          true),
      expect(
          RESOURCE_EXHAUSTED,
          "PROVIDER_RATE_LIMIT",
          3,
          RELEASED,
          300,
          1200,
          CIRCUIT_STATE_CLOSED,
          false,
          true)
    },
    {
      Fault.QUOTA_429,
      expect(
          RESOURCE_EXHAUSTED,
          "PROVIDER_QUOTA",
          1,
          RELEASED,
          0,
          1200,
          CIRCUIT_STATE_CLOSED,
          false,
          false),
      expect(
          RESOURCE_EXHAUSTED,
          "PROVIDER_QUOTA",
          1,
          RELEASED,
          0,
          1200,
          CIRCUIT_STATE_CLOSED,
          false,
          false)
    },
    // Chat has no first-token watchdog (a long answer may take minutes): the default deadline ends
    // it.
    // Streams: the first-token watchdog (300 ms) fails each of the 3 attempts.
    {
      Fault.HANG_BEFORE_HEADERS,
      expect(
          DEADLINE_EXCEEDED,
          "PROVIDER_TIMEOUT",
          1,
          CLOSED_BY_GATEWAY,
          1450,
          2100,
          CIRCUIT_STATE_CLOSED,
          false,
          false),
      expect(
          DEADLINE_EXCEEDED,
          "PROVIDER_TIMEOUT",
          3,
          CLOSED_BY_GATEWAY,
          900,
          1450,
          CIRCUIT_STATE_CLOSED,
          false,
          false)
    },
    {
      Fault.HANG_AFTER_HEADERS,
      expect(
          DEADLINE_EXCEEDED,
          "PROVIDER_TIMEOUT",
          1,
          CLOSED_BY_GATEWAY,
          1450,
          2100,
          CIRCUIT_STATE_CLOSED,
          false,
          false),
      expect(
          DEADLINE_EXCEEDED,
          "PROVIDER_TIMEOUT",
          3,
          CLOSED_BY_GATEWAY,
          900,
          1450,
          CIRCUIT_STATE_CLOSED,
          false,
          false)
    },
    // Streams: the idle watchdog fires after the first output; no retry after output, no breaker
    // verdict.
    {
      Fault.STALL_MID_STREAM,
      expect(
          DEADLINE_EXCEEDED,
          "PROVIDER_TIMEOUT",
          1,
          CLOSED_BY_GATEWAY,
          1450,
          2100,
          CIRCUIT_STATE_CLOSED,
          false,
          false),
      expect(
          DEADLINE_EXCEEDED,
          "PROVIDER_TIMEOUT",
          1,
          CLOSED_BY_GATEWAY,
          300,
          1200,
          CIRCUIT_STATE_CLOSED,
          true,
          false)
    },
    {
      Fault.RESET_MID_STREAM,
      expect(
          UNAVAILABLE,
          "PROVIDER_CONNECTION",
          3,
          CLOSED_BY_UPSTREAM,
          0,
          1200,
          CIRCUIT_STATE_CLOSED,
          false,
          false),
      expect(
          UNAVAILABLE,
          "PROVIDER_CONNECTION",
          1,
          CLOSED_BY_UPSTREAM,
          0,
          1200,
          CIRCUIT_STATE_CLOSED,
          true,
          false)
    },
    // Invalid responses are never retried (a replay cannot fix them).
    {
      Fault.MALFORMED_SSE,
      expect(
          INTERNAL,
          "PROVIDER_INVALID_RESPONSE",
          1,
          RELEASED,
          0,
          1200,
          CIRCUIT_STATE_CLOSED,
          false,
          false),
      expect(
          INTERNAL,
          "PROVIDER_INVALID_RESPONSE",
          1,
          CLOSED_BY_GATEWAY,
          0,
          1200,
          CIRCUIT_STATE_CLOSED,
          false,
          false)
    },
    {
      Fault.TRUNCATED_JSON,
      expect(
          INTERNAL,
          "PROVIDER_INVALID_RESPONSE",
          1,
          RELEASED,
          0,
          1200,
          CIRCUIT_STATE_CLOSED,
          false,
          false),
      expect(
          INTERNAL,
          "PROVIDER_INVALID_RESPONSE",
          1,
          CLOSED_BY_GATEWAY,
          0,
          1200,
          CIRCUIT_STATE_CLOSED,
          true,
          false)
    },
    // No watchdog fires (a piece every 100 ms); the default deadline ends the call.
    {
      Fault.SLOW_DRIP,
      expect(
          DEADLINE_EXCEEDED,
          "PROVIDER_TIMEOUT",
          1,
          CLOSED_BY_GATEWAY,
          1450,
          2100,
          CIRCUIT_STATE_CLOSED,
          false,
          false),
      expect(
          DEADLINE_EXCEEDED,
          "PROVIDER_TIMEOUT",
          1,
          CLOSED_BY_GATEWAY,
          1450,
          2100,
          CIRCUIT_STATE_CLOSED,
          true,
          false)
    },
    {
      Fault.OVERSIZED,
      expect(
          INTERNAL,
          "PROVIDER_INVALID_RESPONSE",
          1,
          CLOSED_BY_GATEWAY,
          0,
          3000,
          CIRCUIT_STATE_CLOSED,
          false,
          false),
      expect(
          INTERNAL,
          "PROVIDER_INVALID_RESPONSE",
          1,
          CLOSED_BY_GATEWAY,
          0,
          3000,
          CIRCUIT_STATE_CLOSED,
          false,
          false)
    },
  };

  private final FakeUpstream upstream = FakeUpstream.startTracked();
  private FaultGateway gateway;

  /**
   * The first-token timeout: 300 ms, but 2 s for the oversized profile, whose 40 Mi-character line
   * must reach its 8 Mi limit before the watchdog fires, however loaded the machine, or the attempt
   * ends as a (retried) timeout instead.
   */
  private static Duration firstToken(Fault fault) {
    return fault == Fault.OVERSIZED ? Duration.ofSeconds(2) : Duration.ofMillis(300);
  }

  private FaultGateway gateway(Fault fault) {
    return new FaultGateway(
        """
        providers:
          - name: up
            type: openai
            base_url: %s/v1
            api_key: k
            default_model: m
            breaker: {failure_threshold: 3, open_duration: 30s, half_open_calls: 3, half_open_successes_to_close: 1}
        resilience:
          max_retries: 2
          retry_base_delay: 10ms
          retry_max_delay: 2s
          retry_jitter_percent: 0
          first_token_timeout: %sms
          idle_timeout: 300ms
          default_deadline: 1500ms
          max_concurrent_calls: 1
          max_concurrent_per_provider: 1
        """
            .formatted(upstream.baseUri(), firstToken(fault).toMillis()));
  }

  @AfterEach
  void close() throws InterruptedException {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (Object[] row : TABLE) {
      cases.add(Arguments.of(row[0], Surface.CHAT, row[1]));
      cases.add(Arguments.of(row[0], Surface.STREAM, row[2]));
      cases.add(Arguments.of(row[0], Surface.CONVERSE_TURN, row[2]));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} via {1}")
  @MethodSource("cases")
  void call_faultyUpstream_failsAsExpectedInTimeAndLeavesNothingBehind(
      Fault fault, Surface surface, Expect expect) throws Exception {
    upstream.otherwise(
        r ->
            r.json().path("model").asText().equals("probe")
                ? Wire.answer(r.json().path("stream").asBoolean(), "ok")
                : fault.response(r.json().path("stream").asBoolean()));
    gateway = gateway(fault);
    ChatRequest request = Requests.chat("up", "hi").setModel("m").build();
    Leftovers threads = Leftovers.snapshot();
    FaultGateway.Conversation conversation =
        surface == Surface.CONVERSE_TURN ? gateway.converse() : null;

    Outcome outcome =
        switch (surface) {
          case CHAT -> gateway.chat(request);
          case STREAM -> gateway.stream(request);
          case CONVERSE_TURN -> {
            conversation.start("t1", request);
            yield conversation.awaitEnd("t1");
          }
        };

    // What the caller saw, and when.
    assertThat(outcome.code()).as("status").isEqualTo(expect.code());
    assertThat(outcome.reason()).as("ErrorInfo.reason").isEqualTo(expect.reason());
    assertThat(outcome.errorMetadata()).as("ErrorInfo.metadata").containsEntry("provider", "up");
    assertThat(outcome.retryDelay() != null).as("RetryInfo present").isEqualTo(expect.retryInfo());
    assertThat(!outcome.content().isEmpty())
        .as("output before the error")
        .isEqualTo(expect.output());
    assertThat(outcome.millis()).as("duration (ms)").isBetween(expect.minMs(), expect.maxMs());

    // The upstream side: every response ended, each connection closed or released in time.
    assertThat(Leftovers.await(() -> upstream.activeResponses() == 0, Duration.ofSeconds(2)))
        .as("fake upstream still writing a response")
        .isTrue();
    assertConnections(expect.conn(), outcome);
    assertThat(upstream.requestCount()).as("upstream attempts").isEqualTo(expect.attempts());
    assertThat(gateway.breaker("up")).as("breaker").isEqualTo(expect.breaker());

    // Nothing left behind in the gateway: no timer outlives the watchdog periods (a watchdog timer
    // is not cancelled when its event arrives, it expires as a no-op), no thread is busy.
    assertThat(Leftovers.await(() -> gateway.liveTimers() == 0, firstToken(fault).plusSeconds(1)))
        .as("live timers left: %s", gateway.liveTimers())
        .isTrue();
    assertThat(Leftovers.await(() -> Leftovers.busyInGateway().isEmpty(), Duration.ofSeconds(1)))
        .as("threads still in gateway code: %s", Leftovers.busyInGateway())
        .isTrue();
    assertThat(threads.newThreads()).as("threads started by the call").isEmpty();

    // Slots and breaker permits were given back: with a limit of one call, a probe is served
    // once the breaker's open period and any cooldown are over.
    gateway.clock.advance(Duration.ofSeconds(301));
    int connections = upstream.connections().size();
    ChatRequest probe = Requests.chat("up", "probe").setModel("probe").build();
    Outcome after =
        switch (surface) {
          case CHAT -> gateway.chat(probe);
          case STREAM -> gateway.stream(probe);
          case CONVERSE_TURN -> {
            conversation.start("t2", probe);
            yield conversation.awaitEnd("t2");
          }
        };
    assertThat(after.ok())
        .as("probe after the fault: %s %s", after.code(), after.reason())
        .isTrue();
    assertThat(after.content()).isEqualTo("ok");
    assertThat(upstream.requestCount())
        .as("requests after the probe")
        .isEqualTo(expect.attempts() + 1);
    if (expect.conn() == RELEASED) {
      assertThat(upstream.connections())
          .as("the probe reused a released connection")
          .hasSize(connections);
    }
    if (conversation != null) {
      conversation.halfClose();
      assertThat(conversation.ended.await(5, TimeUnit.SECONDS))
          .as("Converse stream ended")
          .isTrue();
      assertThat(conversation.error).as("Converse stream error").isNull();
    }
  }

  private void assertConnections(Conn expected, Outcome outcome) throws InterruptedException {
    if (expected == RELEASED) {
      assertThat(upstream.connections())
          .as("connections the gateway closed (a complete response needs none)")
          .noneMatch(c -> c.closedBy() == Side.CLIENT);
      return;
    }
    assertThat(
            Leftovers.await(
                () -> upstream.connections().stream().noneMatch(Connection::open),
                Duration.ofSeconds(2)))
        .as("connections still open: %s", upstream.connections())
        .isTrue();
    List<Connection> connections = upstream.connections();
    Side side = expected == CLOSED_BY_GATEWAY ? Side.CLIENT : Side.SERVER;
    assertThat(connections).as("connections").isNotEmpty().allMatch(c -> c.closedBy() == side);
    long lastClose = connections.stream().mapToLong(Connection::closedNanos).max().orElseThrow();
    assertThat(Duration.ofNanos(lastClose - outcome.endNanos()))
        .as("last connection closed after the caller saw the end")
        .isLessThanOrEqualTo(CLOSE_WITHIN);
  }
}
