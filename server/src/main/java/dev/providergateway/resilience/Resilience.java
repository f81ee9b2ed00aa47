package dev.providergateway.resilience;

import static java.util.Objects.requireNonNull;

import dev.providergateway.config.ResilienceConfig;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Everything the dispatcher needs to make calls resilient, built once per gateway from the
 * {@code resilience} config: the retry backoff and budget, rate-limit cooldowns, concurrency
 * limits, the clock and the scheduler for delays and watchdogs. Thread-safe.
 *
 * @param config the settings
 * @param clock the time source for deadlines, cooldowns and the budget
 * @param scheduler runs delayed retries and watchdog timers; owned by the caller
 */
public record Resilience(
    ResilienceConfig config,
    Clock clock,
    ScheduledExecutorService scheduler,
    Backoff backoff,
    RetryBudget budget,
    Cooldowns cooldowns,
    Bulkheads bulkheads) {

  public Resilience {
    requireNonNull(config, "config");
    requireNonNull(clock, "clock");
    requireNonNull(scheduler, "scheduler");
  }

  /**
   * The clock of deadlines. Deadlines are wall-clock instants: providers compare them with their
   * own system clocks and real timers enforce them, so they never use the injected {@link
   * #clock()} (which drives breakers, cooldowns and the retry budget, and which tests move by
   * hand).
   */
  public static Clock deadlineClock() {
    return Clock.systemUTC();
  }

  /** The runtime for {@code config}. */
  public static Resilience of(ResilienceConfig config, Clock clock, ScheduledExecutorService scheduler) {
    return new Resilience(
        config,
        clock,
        scheduler,
        new Backoff(config.retryBaseDelay(), config.retryMaxDelay(), config.retryJitterPercent()),
        new RetryBudget(config.retryBudgetPercent(), config.retryBudgetMinPerSecond(), clock),
        new Cooldowns(config.rateLimitCooldown(), config.quotaCooldown(), clock),
        new Bulkheads(config.maxConcurrentCalls(), config.maxConcurrentPerProvider()));
  }
}
