package dev.providergateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Connection;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.testing.Requests;
import dev.providergateway.v1.ChatRequest;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The caller's gRPC deadline bounds all upstream work, retries and fallbacks included: the call
 * ends with DEADLINE_EXCEEDED at the deadline, and every upstream connection it opened is closed or
 * done with within 100 ms of it. Each target of the route answers 500 only after 150 ms, so without
 * the deadline the route would take about a second.
 */
class DeadlineTest {
  private static final Duration SLOW = Duration.ofMillis(150);
  private final FakeUpstream primary = FakeUpstream.startTracked().otherwise(r -> slowFailure());
  private final FakeUpstream backup = FakeUpstream.startTracked().otherwise(r -> slowFailure());
  private final FaultGateway gateway =
      new FaultGateway(
          """
      providers:
        - name: primary
          type: openai
          base_url: %s/v1
          api_key: k
          breaker: {failure_threshold: 100}
        - name: backup
          type: openai
          base_url: %s/v1
          api_key: k
          breaker: {failure_threshold: 100}
      routes:
        smart:
          targets: [{provider: primary, model: m}, {provider: backup, model: m}]
      resilience:
        max_retries: 2
        retry_base_delay: 10ms
        retry_jitter_percent: 0
        first_token_timeout: 5s
        idle_timeout: 5s
      """
              .formatted(primary.baseUri(), backup.baseUri()));

  private static Response slowFailure() {
    return Response.json(500, Wire.error("server_error", "slow and broken"))
        .withDelayBeforeHeaders(SLOW);
  }

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
    primary.close();
    backup.close();
  }

  @Test
  void chat_callerDeadlineAcrossRetriesAndFallback_endsAtDeadlineAndReleasesUpstream()
      throws Exception {
    Outcome outcome = gateway.chat(route(), 500);

    assertEndedAtDeadline(outcome, 500);
  }

  @Test
  void stream_callerDeadlineAcrossRetriesAndFallback_endsAtDeadlineAndReleasesUpstream()
      throws Exception {
    Outcome outcome = gateway.stream(route(), 500);

    assertEndedAtDeadline(outcome, 500);
  }

  @Test
  void chat_noDeadline_routeRunsItsCourse() {
    Outcome outcome = gateway.chat(route());

    assertThat(outcome.reason()).isEqualTo("PROVIDER_UNAVAILABLE");
    assertThat(primary.requestCount()).isEqualTo(3);
    assertThat(backup.requestCount()).isEqualTo(3);
  }

  private void assertEndedAtDeadline(Outcome outcome, long deadlineMillis)
      throws InterruptedException {
    assertThat(outcome.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(outcome.millis()).isBetween(deadlineMillis - 20, deadlineMillis + 100);
    assertThat(primary.requestCount() + backup.requestCount())
        .as("attempts that fit in the deadline")
        .isBetween(2, 4);
    for (FakeUpstream upstream : List.of(primary, backup)) {
      assertThat(Leftovers.await(() -> upstream.activeResponses() == 0, Duration.ofSeconds(1)))
          .isTrue();
      for (Connection c : upstream.connections()) {
        if (!c.open()) {
          assertThat(Duration.ofNanos(c.closedNanos() - outcome.endNanos()))
              .isLessThanOrEqualTo(Duration.ofMillis(100));
        }
      }
    }
    // No attempt starts after the deadline.
    int made = primary.requestCount() + backup.requestCount();
    Thread.sleep(200);
    assertThat(primary.requestCount() + backup.requestCount()).isEqualTo(made);
  }

  private static ChatRequest route() {
    return Requests.chat("", "hi").setModel("smart").build();
  }
}
