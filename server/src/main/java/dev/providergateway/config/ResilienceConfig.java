package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The {@code resilience} section: retries, deadlines, watchdogs, rate-limit cooldowns and
 * concurrency limits, applied by the dispatcher to every provider alike. Build one with {@link
 * #builder()}; the record's accessors keep the flat names the YAML keys have.
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
 * @param rateLimitMaxWait the longest a call sleeps in all for rate-limited deployments to cool
 *     down, when no other deployment or route target is available (0..1h; also bounded by the
 *     caller's deadline)
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
    int maxConcurrentPerProvider,
    Duration rateLimitMaxWait) {

  public ResilienceConfig {
    Checks.range("max_retries", maxRetries, 0, 10);
    requireNonNull(retryBaseDelay, "retryBaseDelay");
    Checks.positive("retry_base_delay", retryBaseDelay);
    Checks.atMost("retry_base_delay", retryBaseDelay, Checks.HOUR);
    Checks.positive("retry_max_delay", retryMaxDelay);
    Checks.atMost("retry_max_delay", retryMaxDelay, Checks.HOUR);
    Checks.range("retry_jitter_percent", retryJitterPercent, 0, 100);
    Checks.range("retry_budget_percent", retryBudgetPercent, 0, 100);
    Checks.range("retry_budget_min_per_second", retryBudgetMinPerSecond, 0, 10_000);
    Checks.positive("default_deadline", defaultDeadline);
    Checks.atMost("default_deadline", defaultDeadline, Duration.ofDays(7));
    Checks.positive("first_token_timeout", firstTokenTimeout);
    Checks.atMost("first_token_timeout", firstTokenTimeout, Checks.HOUR);
    Checks.positive("idle_timeout", idleTimeout);
    Checks.atMost("idle_timeout", idleTimeout, Checks.HOUR);
    Checks.notNegative("rate_limit_cooldown", rateLimitCooldown);
    Checks.atMost("rate_limit_cooldown", rateLimitCooldown, Checks.DAY);
    Checks.notNegative("quota_cooldown", quotaCooldown);
    Checks.atMost("quota_cooldown", quotaCooldown, Checks.DAY);
    Checks.range("max_concurrent_calls", maxConcurrentCalls, 1, 1_000_000);
    Checks.range("max_concurrent_per_provider", maxConcurrentPerProvider, 1, 1_000_000);
    Checks.notNegative("rate_limit_max_wait", rateLimitMaxWait);
    Checks.atMost("rate_limit_max_wait", rateLimitMaxWait, Checks.HOUR);
    if (retryMaxDelay.compareTo(retryBaseDelay) < 0) {
      throw ConfigException.at(
          "retry_max_delay",
          Durations.format(retryMaxDelay)
              + " is out of range, expected at least retry_base_delay ("
              + Durations.format(retryBaseDelay)
              + ")");
    }
  }

  /** Victor's retry and cooldown defaults, a 10-minute default deadline, generous limits. */
  public static ResilienceConfig defaults() {
    return builder().build();
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this config. */
  public Builder toBuilder() {
    return new Builder()
        .retries(maxRetries, retryBaseDelay, retryMaxDelay, retryJitterPercent)
        .retryBudget(retryBudgetPercent, retryBudgetMinPerSecond)
        .timeouts(defaultDeadline, firstTokenTimeout, idleTimeout)
        .cooldowns(rateLimitCooldown, quotaCooldown)
        .concurrency(maxConcurrentCalls, maxConcurrentPerProvider)
        .rateLimitMaxWait(rateLimitMaxWait);
  }

  /**
   * Sets the knobs by name, in the groups they are tuned together; {@link #build()} validates them
   * all at once, naming the key, the bad value and the allowed range. Not thread-safe.
   */
  public static final class Builder {
    private int maxRetries = 3;
    private Duration retryBaseDelay = Duration.ofSeconds(2);
    private Duration retryMaxDelay = Duration.ofSeconds(60);
    private int retryJitterPercent = 10;
    private int retryBudgetPercent = 20;
    private int retryBudgetMinPerSecond = 10;
    private Duration defaultDeadline = Duration.ofMinutes(10);
    private Duration firstTokenTimeout = Duration.ofSeconds(60);
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration rateLimitCooldown = Duration.ofSeconds(15);
    private Duration quotaCooldown = Duration.ofSeconds(300);
    private int maxConcurrentCalls = 4096;
    private int maxConcurrentPerProvider = 1024;
    private Duration rateLimitMaxWait = Duration.ofSeconds(3);

    private Builder() {}

    /**
     * Retries on one target: how many after the first attempt, the first backoff delay (it doubles
     * per retry), the longest delay, and the random spread of each in percent.
     */
    public Builder retries(int max, Duration baseDelay, Duration maxDelay, int jitterPercent) {
      this.maxRetries = max;
      this.retryBaseDelay = baseDelay;
      this.retryMaxDelay = maxDelay;
      this.retryJitterPercent = jitterPercent;
      return this;
    }

    /** The gateway-wide retry budget: percent of calls, plus a floor per second. */
    public Builder retryBudget(int percent, int minPerSecond) {
      this.retryBudgetPercent = percent;
      this.retryBudgetMinPerSecond = minPerSecond;
      return this;
    }

    /**
     * Time limits: the deadline of calls whose caller sets none, and the stream watchdogs (the wait
     * for the first upstream event, and between later ones).
     */
    public Builder timeouts(Duration defaultDeadline, Duration firstToken, Duration idle) {
      this.defaultDeadline = defaultDeadline;
      this.firstTokenTimeout = firstToken;
      this.idleTimeout = idle;
      return this;
    }

    /** Fail-fast periods after a 429 without Retry-After, and after a quota 429. */
    public Builder cooldowns(Duration rateLimit, Duration quota) {
      this.rateLimitCooldown = rateLimit;
      this.quotaCooldown = quota;
      return this;
    }

    /** Calls in flight across the gateway, and per provider. */
    public Builder concurrency(int calls, int perProvider) {
      this.maxConcurrentCalls = calls;
      this.maxConcurrentPerProvider = perProvider;
      return this;
    }

    /**
     * The longest a call sleeps in all waiting for a rate-limited deployment when nothing else is
     * available.
     */
    public Builder rateLimitMaxWait(Duration maxWait) {
      this.rateLimitMaxWait = maxWait;
      return this;
    }

    /** The validated config. */
    public ResilienceConfig build() {
      return new ResilienceConfig(
          maxRetries,
          retryBaseDelay,
          retryMaxDelay,
          retryJitterPercent,
          retryBudgetPercent,
          retryBudgetMinPerSecond,
          defaultDeadline,
          firstTokenTimeout,
          idleTimeout,
          rateLimitCooldown,
          quotaCooldown,
          maxConcurrentCalls,
          maxConcurrentPerProvider,
          rateLimitMaxWait);
    }
  }
}
