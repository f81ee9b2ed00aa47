package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A provider's circuit breaker: when to stop calling a failing provider and how to try it again.
 *
 * @param failureThreshold consecutive failures that open the breaker, at least 1
 * @param openDuration how long the breaker stays open before letting trial calls through
 * @param halfOpenCalls trial calls allowed while half-open, at least 1
 * @param halfOpenSuccessesToClose successful trial calls that close the breaker again, 1..{@code
 *     halfOpenCalls}
 */
public record BreakerConfig(
    int failureThreshold, Duration openDuration, int halfOpenCalls, int halfOpenSuccessesToClose) {

  public BreakerConfig {
    Checks.atLeast("failure_threshold", failureThreshold, 1);
    Checks.positive("open_duration", requireNonNull(openDuration, "openDuration"));
    Checks.atLeast("half_open_calls", halfOpenCalls, 1);
    Checks.range("half_open_successes_to_close", halfOpenSuccessesToClose, 1, halfOpenCalls);
  }

  /** Every default: open after 5 failures for 30s, then 3 trial calls of which 2 must succeed. */
  public static BreakerConfig defaults() {
    return new BreakerConfig(5, Duration.ofSeconds(30), 3, 2);
  }
}
