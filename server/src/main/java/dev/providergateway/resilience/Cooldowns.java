package dev.providergateway.resilience;

import dev.providergateway.provider.ProviderException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rate-limit cooldowns per (provider, model), as Victor keeps them: after a 429 every call to the
 * same target fails fast for the upstream's {@code Retry-After}, else {@code rateLimit}, or {@code
 * quota} after a quota or billing 429, without reaching the upstream. (The provider instance fixes
 * the base URL, so its name stands for it.) Thread-safe.
 */
public final class Cooldowns {
  private final Duration rateLimit;
  private final Duration quota;
  private final Clock clock;
  private final Map<String, Entry> until = new ConcurrentHashMap<>();

  private record Entry(Instant until, boolean quota, String message) {}

  public Cooldowns(Duration rateLimit, Duration quota, Clock clock) {
    this.rateLimit = rateLimit;
    this.quota = quota;
    this.clock = clock;
  }

  /** Throws the fail-fast error while {@code provider}/{@code model} cools down. */
  public void check(String provider, String model) {
    Entry e = until.get(key(provider, model));
    if (e == null) {
      return;
    }
    Instant now = clock.instant();
    if (!now.isBefore(e.until)) {
      until.remove(key(provider, model), e);
      return;
    }
    Duration left = Duration.between(now, e.until);
    ProviderException.Origin origin = new ProviderException.Origin(provider, model, 429);
    String message =
        "cooling down after a rate limit from "
            + provider
            + " ("
            + e.message
            + "); retry in "
            + Math.max(1, left.toSeconds())
            + "s";
    throw e.quota
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
      until.put(key(provider, model), new Entry(clock.instant().plus(d), isQuota, why));
    }
  }

  private static String key(String provider, String model) {
    return provider + '\u0000' + model;
  }
}
