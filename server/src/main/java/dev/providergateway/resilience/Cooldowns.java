package dev.providergateway.resilience;

import static java.util.Objects.requireNonNull;

import dev.providergateway.state.CooldownMap;
import dev.providergateway.state.SharedState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The one holder of cooldown state: which keys (a deployment, or a deployment's model) must not be
 * called until when, and why. The dispatcher decides what to cool down and for how long (an
 * upstream 429's {@code Retry-After}, else {@code rate_limit_cooldown}; {@code quota_cooldown}
 * after a quota or billing 429) and asks here before every attempt.
 *
 * <p>The surface is deliberately two calls, {@link #coolDown} and {@link #cooling}, on opaque
 * string keys such as {@code "openai/eu-1"} or {@code "openai/eu-1/gpt-4o"}. Keys never hold
 * credentials.
 *
 * <p>The state lives in a {@link CooldownMap}: this process's own, or the one every replica shares
 * through the state store ({@code state.redis_url}), so one replica's 429 spares the others the
 * same 429. Reads never wait for the store (the map keeps a local copy); the map bounds the keys it
 * holds. Thread-safe.
 */
public final class Cooldowns {
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
  private final CooldownMap map;

  /** Cooldowns on {@code clock}, kept in this process. */
  public Cooldowns(Clock clock) {
    this(clock, SharedState.local(clock).cooldowns());
  }

  /** Cooldowns on {@code clock}, kept in {@code map} (shared by replicas when it is a store's). */
  public Cooldowns(Clock clock, CooldownMap map) {
    this.clock = requireNonNull(clock, "clock");
    this.map = requireNonNull(map, "map");
  }

  /**
   * Cools {@code key} down until {@code until} for {@code reason}. An existing cooldown that ends
   * later is kept.
   */
  public void coolDown(String key, Instant until, Reason reason) {
    requireNonNull(key, "key");
    requireNonNull(reason, "reason");
    boolean quota = reason == Reason.QUOTA;
    map.put(
        key,
        new CooldownMap.Cooldown(
            requireNonNull(until, "until"), quota, quota ? "quota exhausted" : "rate limited"));
  }

  /** True when no key is cooling down: {@link #cooling} would find nothing for any key. */
  public boolean none() {
    return map.isEmpty();
  }

  /** The cooldown of {@code key} now, if it has one that has not passed. */
  public Optional<Cooling> cooling(String key) {
    if (map.isEmpty()) {
      return Optional.empty();
    }
    return map.get(key, clock.instant())
        .map(c -> new Cooling(c.until(), c.quota() ? Reason.QUOTA : Reason.RATE_LIMIT));
  }
}
