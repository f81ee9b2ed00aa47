package dev.providergateway.state;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The state of one process: Bucket4j buckets in memory, a map of cooldowns, counters. Also the
 * fallback of {@link RedisState}, whose buckets then allow {@code limit / divisor} (the configured
 * replica count), at least 1.
 */
final class LocalState implements SharedState {
  /** The most counters kept; budgets are per configured key and period, far fewer. */
  static final int MAX_COUNTERS = 100_000;

  private final Clock clock;
  private final ClockTimeMeter time;
  private final int divisor;
  private final LocalCooldowns cooldowns;
  private final LocalCounters counters;

  LocalState(Clock clock, int divisor) {
    this.clock = clock;
    this.time = new ClockTimeMeter(clock);
    this.divisor = divisor;
    this.counters = new LocalCounters(clock);
    this.cooldowns = new LocalCooldowns(clock);
  }

  @Override
  public LimitBucket bucket(String name, long perMinute) {
    return new LocalBucket(
        Bucket.builder()
            .addLimit(configuration(Math.max(1, perMinute / divisor)).getBandwidths()[0])
            .withCustomTimePrecision(time)
            .build());
  }

  /**
   * Decides {@code demands} on this state's buckets all or nothing, under one lock so that two
   * admissions never interleave their checks and takes (the buckets themselves are lock-free; a
   * concurrent {@link LimitBucket#charge} may still land between them, which only lowers a bucket
   * that was already allowed to go negative).
   */
  @Override
  public CompletableFuture<List<LimitBucket.Probe>> admit(List<LimitBucket.Demand> demands) {
    List<LimitBucket.Probe> probes = new ArrayList<>(demands.size());
    synchronized (this) {
      boolean allowed = true;
      for (LimitBucket.Demand d : demands) {
        EstimationProbe p = local(d.bucket()).estimateAbilityToConsume(d.tokens());
        probes.add(
            p.canBeConsumed()
                ? LimitBucket.Probe.ALLOWED
                : new LimitBucket.Probe(false, p.getNanosToWaitForRefill()));
        allowed &= p.canBeConsumed();
      }
      if (allowed) {
        for (LimitBucket.Demand d : demands) {
          if (d.take()) {
            local(d.bucket()).consumeIgnoringRateLimits(d.tokens());
          }
        }
      }
    }
    return CompletableFuture.completedFuture(probes);
  }

  private static Bucket local(LimitBucket bucket) {
    if (bucket instanceof LocalBucket l) {
      return l.bucket();
    }
    throw new IllegalArgumentException("not a bucket of this state: " + bucket);
  }

  /** A bucket of {@code perMinute} tokens refilled greedily over a minute. */
  static BucketConfiguration configuration(long perMinute) {
    return BucketConfiguration.builder()
        .addLimit(
            Bandwidth.builder()
                .capacity(perMinute)
                .refillGreedy(perMinute, Duration.ofMinutes(1))
                .build())
        .build();
  }

  @Override
  public LocalCooldowns cooldowns() {
    return cooldowns;
  }

  @Override
  public LocalCounters counters() {
    return counters;
  }

  @Override
  public boolean up() {
    return true;
  }

  @Override
  public boolean shared() {
    return false;
  }

  @Override
  public void close() {}

  Clock clock() {
    return clock;
  }

  private record LocalBucket(Bucket bucket) implements LimitBucket {
    @Override
    public CompletableFuture<Probe> tryConsume(long tokens) {
      return CompletableFuture.completedFuture(probe(bucket.tryConsumeAndReturnRemaining(tokens)));
    }

    @Override
    public CompletableFuture<Probe> estimate(long tokens) {
      EstimationProbe p = bucket.estimateAbilityToConsume(tokens);
      return CompletableFuture.completedFuture(
          p.canBeConsumed() ? Probe.ALLOWED : new Probe(false, p.getNanosToWaitForRefill()));
    }

    @Override
    public void charge(long tokens) {
      if (tokens > 0) {
        bucket.consumeIgnoringRateLimits(tokens);
      }
    }
  }

  static LimitBucket.Probe probe(ConsumptionProbe p) {
    return p.isConsumed()
        ? LimitBucket.Probe.ALLOWED
        : new LimitBucket.Probe(false, p.getNanosToWaitForRefill());
  }

  /** Cooldowns in a bounded map; expired entries are dropped when read or when the map is full. */
  static final class LocalCooldowns implements CooldownMap {
    private final Map<String, Cooldown> byKey = new ConcurrentHashMap<>();
    private final Clock clock;

    LocalCooldowns(Clock clock) {
      this.clock = clock;
    }

    @Override
    public void put(String key, Cooldown cooldown) {
      putIfLater(key, cooldown, clock.instant(), true);
    }

    /**
     * Sets {@code cooldown} unless a later one is set; {@code own} entries (this replica's) are
     * kept even when the map is full of unexpired ones, up to twice {@link #MAX_KEYS} (keys hold
     * callers' model ids, so nothing may grow without bound; a dropped cooldown costs one more 429,
     * not correctness).
     *
     * @return whether it was set
     */
    boolean putIfLater(String key, Cooldown cooldown, Instant now, boolean own) {
      if (byKey.size() >= MAX_KEYS && !byKey.containsKey(key)) {
        byKey.values().removeIf(c -> !c.until().isAfter(now));
        if (byKey.size() >= (own ? 2 * MAX_KEYS : MAX_KEYS)) {
          return false;
        }
      }
      Cooldown merged =
          byKey.merge(key, cooldown, (old, neu) -> neu.until().isAfter(old.until()) ? neu : old);
      return merged == cooldown;
    }

    @Override
    public Optional<Cooldown> get(String key, Instant now) {
      Cooldown c = byKey.get(key);
      if (c == null) {
        return Optional.empty();
      }
      if (!now.isBefore(c.until())) {
        byKey.remove(key, c);
        return Optional.empty();
      }
      return Optional.of(c);
    }

    @Override
    public void remove(String key, Cooldown cooldown) {
      byKey.remove(key, cooldown);
    }

    @Override
    public boolean isEmpty() {
      return byKey.isEmpty();
    }

    int size() {
      return byKey.size();
    }
  }

  /** Counters in a bounded map, each dropped at its expiry. */
  static final class LocalCounters implements PeriodCounters {
    private record Counter(AtomicLong total, Instant expiresAt) {}

    private final Clock clock;
    private final Map<String, Counter> byKey = new ConcurrentHashMap<>();

    LocalCounters(Clock clock) {
      this.clock = clock;
    }

    @Override
    public CompletableFuture<Long> add(String key, long amount, Instant expiresAt) {
      Instant now = clock.instant();
      if (byKey.size() >= MAX_COUNTERS && !byKey.containsKey(key)) {
        byKey.values().removeIf(c -> !c.expiresAt().isAfter(now));
        if (byKey.size() >= MAX_COUNTERS) {
          return CompletableFuture.failedFuture(
              new IllegalStateException(
                  "more than " + MAX_COUNTERS + " period counters; not counting " + key));
        }
      }
      Counter c =
          byKey.compute(
              key,
              (k, old) ->
                  old == null || !old.expiresAt().isAfter(now)
                      ? new Counter(new AtomicLong(), expiresAt)
                      : old);
      return CompletableFuture.completedFuture(c.total().addAndGet(amount));
    }

    @Override
    public CompletableFuture<Long> total(String key) {
      Counter c = byKey.get(key);
      if (c == null || !c.expiresAt().isAfter(clock.instant())) {
        return CompletableFuture.completedFuture(0L);
      }
      return CompletableFuture.completedFuture(c.total().get());
    }
  }
}
