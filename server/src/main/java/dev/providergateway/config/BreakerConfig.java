package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A provider's circuit breaker: when to stop calling a failing provider and how to try it again.
 *
 * @param failureThreshold consecutive failures that open the breaker, 1..1000
 * @param openDuration how long the breaker stays open before letting trial calls through, up to 1d
 * @param halfOpenCalls trial calls allowed while half-open, 1..1000
 * @param halfOpenSuccessesToClose successful trial calls that close the breaker again, 1..{@code
 *     halfOpenCalls}
 */
public record BreakerConfig(
    int failureThreshold, Duration openDuration, int halfOpenCalls, int halfOpenSuccessesToClose) {

  /** The most outcomes a breaker counts (its window is an array of this size). */
  static final int MAX_CALLS = 1000;

  public BreakerConfig {
    // The breaker's sliding window holds failure_threshold outcomes (50,000,000 took 2.2 GB).
    Checks.atLeast("failure_threshold", failureThreshold, 1);
    Checks.atMost("failure_threshold", failureThreshold, MAX_CALLS);
    Checks.positive("open_duration", requireNonNull(openDuration, "openDuration"));
    Checks.atMost("open_duration", openDuration, Checks.DAY);
    Checks.atLeast("half_open_calls", halfOpenCalls, 1);
    Checks.atMost("half_open_calls", halfOpenCalls, MAX_CALLS);
    Checks.range("half_open_successes_to_close", halfOpenSuccessesToClose, 1, halfOpenCalls);
  }

  /** Every default: open after 5 failures for 30s, then 3 trial calls of which 2 must succeed. */
  public static BreakerConfig defaults() {
    return new BreakerConfig(5, Duration.ofSeconds(30), 3, 2);
  }
}
