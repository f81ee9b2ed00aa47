package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The {@code resilience} section: retries, deadlines, watchdogs, rate-limit cooldowns and
 * concurrency limits, applied by the dispatcher to every provider alike.
 *
 * @param maxRetries retries after the first attempt on one target, 0..10 (Victor: 3)
 * @param retryBaseDelay the first backoff delay; it doubles per retry (Victor: 2 s)
 * @param retryMaxDelay the longest backoff delay (Victor: 60 s)
 * @param retryJitterPercent random spread of each delay, 0..100 percent (Victor: 10)
 * @param retryBudgetPercent gateway-wide cap on retries as a percentage of calls, 0..100
 * @param retryBudgetMinPerSecond retries always allowed per second, whatever the traffic, 0..10,000
 * @param defaultDeadline the deadline of calls whose caller sets none
 * @param firstTokenTimeout how long a stream may wait for its first upstream event
 * @param idleTimeout how long a stream may wait between upstream events it asked for
 * @param rateLimitCooldown fail-fast period after a 429 without Retry-After (Victor: 15 s)
 * @param quotaCooldown fail-fast period after a quota or billing 429 (Victor: 300 s)
 * @param maxConcurrentCalls calls in flight across the gateway, 1..1,000,000
 * @param maxConcurrentPerProvider calls in flight per provider, 1..1,000,000
 */
public record ResilienceConfig(
    int maxRetries,
    Duration retryBaseDelay,
    Duration retryMaxDelay,
    int retryJitterPercent,
    int retryBudgetPercent,
    int retryBudgetMinPerSecond,
    Duration defaultDeadline,
    Duration firstTokenTimeout,
    Duration idleTimeout,
    Duration rateLimitCooldown,
    Duration quotaCooldown,
    int maxConcurrentCalls,
    int maxConcurrentPerProvider) {

  public ResilienceConfig {
    Checks.range("max_retries", maxRetries, 0, 10);
    requireNonNull(retryBaseDelay, "retryBaseDelay");
    Checks.positive("retry_base_delay", retryBaseDelay);
    Checks.positive("retry_max_delay", retryMaxDelay);
    Checks.range("retry_jitter_percent", retryJitterPercent, 0, 100);
    Checks.range("retry_budget_percent", retryBudgetPercent, 0, 100);
    Checks.range("retry_budget_min_per_second", retryBudgetMinPerSecond, 0, 10_000);
    Checks.positive("default_deadline", defaultDeadline);
    Checks.positive("first_token_timeout", firstTokenTimeout);
    Checks.positive("idle_timeout", idleTimeout);
    Checks.notNegative("rate_limit_cooldown", rateLimitCooldown);
    Checks.notNegative("quota_cooldown", quotaCooldown);
    Checks.range("max_concurrent_calls", maxConcurrentCalls, 1, 1_000_000);
    Checks.range("max_concurrent_per_provider", maxConcurrentPerProvider, 1, 1_000_000);
    if (retryMaxDelay.compareTo(retryBaseDelay) < 0) {
      throw ConfigException.at("retry_max_delay", Durations.format(retryMaxDelay)
          + " is out of range, expected at least retry_base_delay (" + Durations.format(retryBaseDelay) + ")");
    }
  }

  /** Victor's retry and cooldown defaults, a 10-minute default deadline, generous limits. */
  public static ResilienceConfig defaults() {
    return new ResilienceConfig(3, Duration.ofSeconds(2), Duration.ofSeconds(60), 10, 20, 10,
        Duration.ofMinutes(10), Duration.ofSeconds(60), Duration.ofSeconds(60),
        Duration.ofSeconds(15), Duration.ofSeconds(300), 4096, 1024);
  }
}
