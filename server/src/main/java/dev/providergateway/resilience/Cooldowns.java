package dev.providergateway.resilience;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.ProviderException;
import dev.providergateway.state.CooldownMap;
import dev.providergateway.state.SharedState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Rate-limit cooldowns per (provider, model), as Victor keeps them: after a 429 every call to the
 * same target fails fast for the upstream's {@code Retry-After}, else {@code rateLimit}, or {@code
 * quota} after a quota or billing 429, without reaching the upstream. (The provider instance fixes
 * the base URL, so its name stands for it.) Thread-safe.
 *
 * <p>The cooldowns are kept in a {@link CooldownMap}: this process's own, or one shared by every
 * replica through the state store, so one replica's 429 spares the others the same 429. Checks read
 * a local copy and never wait for the store.
 */
public final class Cooldowns {
  private final Duration rateLimit;
  private final Duration quota;
  private final Clock clock;
  private final CooldownMap until;

  /** Cooldowns kept in this process. */
  public Cooldowns(Duration rateLimit, Duration quota, Clock clock) {
    this(rateLimit, quota, clock, SharedState.local(clock).cooldowns());
  }

  /** Cooldowns kept in {@code map} (shared with other replicas when it is a store's). */
  public Cooldowns(Duration rateLimit, Duration quota, Clock clock, CooldownMap map) {
    this.rateLimit = rateLimit;
    this.quota = quota;
    this.clock = clock;
    this.until = requireNonNull(map, "map");
  }

  /** Throws the fail-fast error while {@code provider}/{@code model} cools down. */
  public void check(String provider, String model) {
    Instant now = clock.instant();
    Optional<CooldownMap.Cooldown> found = until.get(key(provider, model), now);
    if (found.isEmpty()) {
      return;
    }
    CooldownMap.Cooldown e = found.get();
    Duration left = Duration.between(now, e.until());
    ProviderException.Origin origin = new ProviderException.Origin(provider, model, 429);
    String message =
        "cooling down after a rate limit from "
            + provider
            + " ("
            + e.reason()
            + "); retry in "
            + Math.max(1, left.toSeconds())
            + "s";
    throw e.quota()
        ? new ProviderException.QuotaExceeded(origin, message)
        : new ProviderException.RateLimited(origin, message, left);
  }

  /** Starts a cooldown when {@code failure} is a rate limit or quota error. */
  public void record(String provider, String model, Throwable failure) {
    Duration d;
    boolean isQuota = failure instanceof ProviderException.QuotaExceeded;
    if (failure instanceof ProviderException.RateLimited r) {
      d = r.retryAfter().orElse(rateLimit);
    } else if (isQuota) {
      d = quota;
    } else {
      return;
    }
    if (!d.isZero()) {
      String why = isQuota ? "quota exhausted" : "HTTP 429";
      until.put(
          key(provider, model), new CooldownMap.Cooldown(clock.instant().plus(d), isQuota, why));
    }
  }

  private static String key(String provider, String model) {
    return provider + '\u0000' + model;
  }
}
