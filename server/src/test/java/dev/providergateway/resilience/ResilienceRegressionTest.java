package dev.providergateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.config.BreakerConfig;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.testing.MutableClock;
import dev.providergateway.testing.Requests;
import dev.providergateway.v1.CircuitState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regressions found by the fault-injection suite: a trial failure always reopens a half-open
 * breaker, stream watchdog timers do not pile up, the default deadline on Chat counts against the
 * breaker, failover past a locally refused target costs no retry budget, oversized SSE events fail
 * as invalid responses, and caller deadlines survive an injected clock.
 */
class ResilienceRegressionTest {

  @Test
  void permit_lastHalfOpenTrialFails_reopens() {
    MutableClock clock = new MutableClock();
    ProviderBreaker breaker =
        new ProviderBreaker("p", new BreakerConfig(3, Duration.ofSeconds(30), 2, 2), clock);
    ProviderException failure =
        new ProviderException.Unavailable(
            new ProviderException.Origin("p", "m", 503), "down", null);
    for (int i = 0; i < 3; i++) {
      breaker.acquire("m").failure(failure);
    }
    clock.advance(Duration.ofSeconds(31));

    breaker.acquire("m").success();
    breaker.acquire("m").failure(failure);

    assertThat(breaker.state()).isEqualTo(ProviderBreaker.State.OPEN);
  }

  @Test
  void chat_successThenFailureWhileHalfOpen_reopens() throws Exception {
    try (FakeUpstream upstream = FakeUpstream.startTracked().otherwise(Upstreams.byModel());
        FaultGateway gateway =
            new FaultGateway(
                config(
                    upstream,
                    "{failure_threshold: 3, open_duration: 30s, half_open_calls: 2, half_open_successes_to_close: 2}",
                    "max_retries: 0"))) {
      for (int i = 0; i < 3; i++) {
        gateway.chat(Requests.chat("up", "hi").setModel("fail").build());
      }
      gateway.clock.advance(Duration.ofSeconds(31));

      assertThat(gateway.chat(Requests.chat("up", "hi").setModel("ok").build()).ok()).isTrue();
      gateway.chat(Requests.chat("up", "hi").setModel("fail").build());

      assertThat(gateway.breaker("up")).isEqualTo(CircuitState.CIRCUIT_STATE_OPEN);
    }
  }

  @Test
  void stream_manyChunks_noWatchdogTimerPerChunkLeftBehind() throws Exception {
    List<String> events = new ArrayList<>(Collections.nCopies(3000, Wire.chunk("x")));
    events.add(Wire.finish());
    events.add(Wire.DONE);
    try (FakeUpstream upstream = FakeUpstream.startTracked().otherwise(r -> Response.sse(events));
        FaultGateway gateway =
            new FaultGateway(
                config(upstream, "{}", "first_token_timeout: 60s\n  idle_timeout: 60s"))) {
      Outcome outcome = gateway.stream(Requests.chat("up", "hi").setModel("m").build());

      assertThat(outcome.ok()).isTrue();
      assertThat(gateway.liveTimers())
          .as("timers still queued after the stream ended")
          .isLessThanOrEqualTo(2);
    }
  }

  @Test
  void chat_callerDeadlineWithInjectedClock_reachesUpstream() throws Exception {
    try (FakeUpstream upstream = FakeUpstream.startTracked().otherwise(r -> Wire.completion("ok"));
        FaultGateway gateway = new FaultGateway(config(upstream, "{}", "max_retries: 0"))) {
      gateway.clock.advance(Duration.ofHours(-1));

      Outcome outcome = gateway.chat(Requests.chat("up", "hi").setModel("m").build(), 30_000);

      assertThat(outcome.code()).isEqualTo(io.grpc.Status.Code.OK);
      assertThat(upstream.requestCount()).isEqualTo(1);
    }
  }

  @Test
  void chat_defaultDeadlineEndsHangingAttempts_countsTowardsBreaker() throws Exception {
    try (FakeUpstream upstream =
            FakeUpstream.startTracked().otherwise(r -> Fault.HANG_AFTER_HEADERS.response(false));
        FaultGateway gateway =
            new FaultGateway(
                config(
                    upstream,
                    "{failure_threshold: 3}",
                    "max_retries: 0\n  default_deadline: 200ms"))) {
      for (int i = 0; i < 3; i++) {
        assertThat(gateway.chat(Requests.chat("up", "hi").setModel("m").build()).reason())
            .isEqualTo("PROVIDER_TIMEOUT");
      }

      assertThat(gateway.breaker("up")).isEqualTo(CircuitState.CIRCUIT_STATE_OPEN);
    }
  }

  @Test
  void chat_primaryOpenUnderLoad_everyRoutedCallServedByBackup() throws Exception {
    try (FakeUpstream primary =
            FakeUpstream.startTracked().otherwise(r -> Fault.HTTP_500.response(false));
        FakeUpstream backup =
            FakeUpstream.startTracked().otherwise(r -> Wire.completion("from backup"));
        FaultGateway gateway =
            new FaultGateway(
                """
            providers:
              - {name: primary, type: openai, base_url: "%s/v1", api_key: k, breaker: {failure_threshold: 1}}
              - {name: backup, type: openai, base_url: "%s/v1", api_key: k}
            routes:
              smart: {targets: [{provider: primary, model: m}, {provider: backup, model: m}]}
            resilience:
              max_retries: 0
              retry_budget_percent: 20
              retry_budget_min_per_second: 1
            """
                    .formatted(primary.baseUri(), backup.baseUri()))) {
      int served = 0;
      for (int i = 0; i < 30; i++) {
        if (gateway.chat(Requests.chat("", "hi").setModel("smart").build()).ok()) {
          served++;
        }
      }

      assertThat(primary.requestCount()).isEqualTo(1);
      assertThat(served)
          .as("routed calls served by the backup while the primary is open")
          .isEqualTo(30);
    }
  }

  @Test
  void stream_eventOfManyDataLines_refusedAsInvalidBeforeBufferingItAll() throws Exception {
    String line = "data: " + "a".repeat(1 << 20) + "\n";
    try (FakeUpstream upstream =
            FakeUpstream.startTracked()
                .otherwise(
                    r ->
                        Response.stream(
                                200,
                                "text/event-stream",
                                Duration.ZERO,
                                Collections.nCopies(48, line))
                            .thenHang(": ping\n"));
        FaultGateway gateway =
            new FaultGateway(
                config(
                    upstream,
                    "{}",
                    "max_retries: 0\n  first_token_timeout: 60s\n  idle_timeout: 60s\n  default_deadline: 3s"))) {
      Outcome outcome = gateway.stream(Requests.chat("up", "hi").setModel("m").build());

      assertThat(outcome.reason()).isEqualTo("PROVIDER_INVALID_RESPONSE");
      assertThat(outcome.millis()).isLessThan(2000);
    }
  }

  private static String config(FakeUpstream upstream, String breaker, String resilience) {
    return """
        providers:
          - name: up
            type: openai
            base_url: %s/v1
            api_key: k
            breaker: %s
        resilience:
          %s
        """
        .formatted(upstream.baseUri(), breaker, resilience);
  }
}
