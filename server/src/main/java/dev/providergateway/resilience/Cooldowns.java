package dev.providergateway.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one holder of cooldown state: which keys (a deployment, or a deployment's model) must not be
 * called until when, and why. The dispatcher decides what to cool down and for how long (an
 * upstream 429's {@code Retry-After}, else {@code rate_limit_cooldown}; {@code quota_cooldown}
 * after a quota or billing 429) and asks here before every attempt.
 *
 * <p>The surface is deliberately two calls, {@link #coolDown} and {@link #cooling}, on opaque
 * string keys such as {@code "openai/eu-1"} or {@code "openai/eu-1/gpt-4o"}, so that the state can
 * move to a store shared by replicas without touching the dispatcher. Keys never hold credentials.
 *
 * <p>Memory is bounded: at most {@code maxKeys} keys are held; when full, expired entries are
 * dropped first, and a new key that still finds no room is not cooled down (the upstream will say
 * 429 again, which costs one request, not correctness). Thread-safe.
 */
public final class Cooldowns {
  /** Default bound on keys held. */
  public static final int DEFAULT_MAX_KEYS = 10_000;

  /** Why a key cools down. */
  public enum Reason {
    /** An upstream rate limit (HTTP 429, or 503/529 with a retry hint): wait and retry. */
    RATE_LIMIT,
    /** A quota or billing 429: the key is out until the period ends or the config is reloaded. */
    QUOTA
  }

  /**
   * A key's cooldown.
   *
   * @param until the instant the key may be called again
   * @param reason why it cools down
   */
  public record Cooling(Instant until, Reason reason) {
    public Cooling {
      requireNonNull(until, "until");
      requireNonNull(reason, "reason");
    }

    /** The time left from {@code now}; zero once passed. */
    public Duration remaining(Instant now) {
      return now.isBefore(until) ? Duration.between(now, until) : Duration.ZERO;
    }
  }

  private final Clock clock;
  private final int maxKeys;
  private final Map<String, Cooling> byKey = new ConcurrentHashMap<>();

  /** Cooldowns on {@code clock}, holding at most {@link #DEFAULT_MAX_KEYS} keys. */
  public Cooldowns(Clock clock) {
    this(clock, DEFAULT_MAX_KEYS);
  }

  /** Cooldowns on {@code clock}, holding at most {@code maxKeys} keys. */
  public Cooldowns(Clock clock, int maxKeys) {
    this.clock = requireNonNull(clock, "clock");
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1, was " + maxKeys);
    }
    this.maxKeys = maxKeys;
  }

  /**
   * Cools {@code key} down until {@code until} for {@code reason}. An existing cooldown that ends
   * later, or is a quota cooldown while this is a rate limit, is kept.
   */
  public void coolDown(String key, Instant until, Reason reason) {
    requireNonNull(key, "key");
    Cooling next = new Cooling(until, reason);
    if (!byKey.containsKey(key) && byKey.size() >= maxKeys) {
      Instant now = clock.instant();
      byKey.entrySet().removeIf(e -> !now.isBefore(e.getValue().until()));
      if (byKey.size() >= maxKeys) {
        return;
      }
    }
    byKey.merge(key, next, (old, now) -> keepsOver(old, now) ? old : now);
  }

  /** The cooldown of {@code key} now, if it has one that has not passed. */
  public Optional<Cooling> cooling(String key) {
    Cooling c = byKey.get(key);
    if (c == null) {
      return Optional.empty();
    }
    if (!clock.instant().isBefore(c.until())) {
      byKey.remove(key, c);
      return Optional.empty();
    }
    return Optional.of(c);
  }

  private static boolean keepsOver(Cooling old, Cooling next) {
    if (old.reason() != next.reason()) {
      return old.reason() == Reason.QUOTA && old.until().isAfter(next.until());
    }
    return old.until().isAfter(next.until());
  }
}
