package dev.providergateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.testing.Requests;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway-wide retry budget, through real HTTP: with no share of traffic and one retry per
 * second allowed, a 10 s window holds 10 extra attempts; once they are spent, failing calls get one
 * attempt each, until the window moves on.
 */
class RetryBudgetTest {
  private final FakeUpstream upstream = FakeUpstream.startTracked().otherwise(Upstreams.byModel());
  private final FaultGateway gateway =
      new FaultGateway(
          """
      providers:
        - name: up
          type: openai
          base_url: %s/v1
          api_key: k
          breaker: {failure_threshold: 1000}
      resilience:
        max_retries: 2
        retry_base_delay: 1ms
        retry_max_delay: 1ms
        retry_jitter_percent: 0
        retry_budget_percent: 0
        retry_budget_min_per_second: 1
      """
              .formatted(upstream.baseUri()));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
    upstream.close();
  }

  @Test
  void chat_budgetSpent_failingCallsGetOneAttemptUntilWindowMoves() {
    for (int call = 0; call < 5; call++) {
      assertThat(attemptsOf()).as("call %s within the budget", call).isEqualTo(3);
    }

    assertThat(attemptsOf()).as("budget spent").isEqualTo(1);
    assertThat(attemptsOf()).isEqualTo(1);

    gateway.clock.advance(Duration.ofSeconds(11));
    assertThat(attemptsOf()).as("a new window").isEqualTo(3);
  }

  private int attemptsOf() {
    int before = upstream.requestCount();
    assertThat(gateway.chat(Requests.chat("up", "hi").setModel("fail").build()).reason())
        .isEqualTo("PROVIDER_UNAVAILABLE");
    return upstream.requestCount() - before;
  }
}
