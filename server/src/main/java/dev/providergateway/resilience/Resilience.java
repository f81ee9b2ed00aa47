package dev.providergateway.resilience;

import static java.util.Objects.requireNonNull;

import dev.providergateway.config.ResilienceConfig;
import dev.providergateway.state.CooldownMap;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Everything the dispatcher needs to make calls resilient, built once per gateway from the {@code
 * resilience} config: the retry backoff and budget, rate-limit cooldowns, concurrency limits, the
 * clock and the scheduler for delays and watchdogs. Thread-safe.
 *
 * <p>Every time-based decision of call policy reads {@link #clock()}: deadlines, retry delays
 * against them, stream watchdogs, cooldowns, the budget (and the providers' breakers, which the
 * registry builds on the same clock). Tests hand in a fake clock with a scheduler they advance, so
 * no decision needs sleeping to be tested.
 *
 * @param config the settings
 * @param clock the one time source of call policy
 * @param scheduler runs delayed retries, deadline and watchdog timers; owned by the caller
 */
public record Resilience(
    ResilienceConfig config,
    GatewayClock clock,
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

  /** The runtime for {@code config}; a plain {@code clock} gets the JVM's monotonic ticker. */
  public static Resilience of(
      ResilienceConfig config, Clock clock, ScheduledExecutorService scheduler) {
    return of(config, clock, scheduler, null);
  }

  /**
   * As above, with the rate-limit cooldowns kept in {@code cooldowns} (shared by replicas through
   * the state store); null keeps them in this process.
   */
  public static Resilience of(
      ResilienceConfig config,
      Clock clock,
      ScheduledExecutorService scheduler,
      CooldownMap cooldowns) {
    GatewayClock time = GatewayClock.of(clock);
    return new Resilience(
        config,
        time,
        scheduler,
        new Backoff(config.retryBaseDelay(), config.retryMaxDelay(), config.retryJitterPercent()),
        new RetryBudget(config.retryBudgetPercent(), config.retryBudgetMinPerSecond(), time),
        cooldowns == null ? new Cooldowns(time) : new Cooldowns(time, cooldowns),
        new Bulkheads(config.maxConcurrentCalls(), config.maxConcurrentPerProvider()));
  }
}
