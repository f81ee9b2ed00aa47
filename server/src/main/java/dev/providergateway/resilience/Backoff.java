package dev.providergateway.resilience;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff as Victor computes it: {@code base * 2^retry}, spread by a random jitter of
 * up to {@code jitterPercent} either way, capped at {@code max}. An upstream {@code Retry-After}
 * replaces the computed delay (still capped).
 */
public record Backoff(Duration base, Duration max, int jitterPercent) {

  /** The delay before retry number {@code retry} (0-based), honouring {@code retryAfter} if set. */
  public Duration delay(int retry, Duration retryAfter) {
    if (retryAfter != null) {
      return retryAfter.compareTo(max) > 0 ? max : retryAfter;
    }
    double millis = base.toMillis() * Math.pow(2, Math.min(retry, 30));
    double spread = jitterPercent / 100.0;
    millis *= 1 + (spread == 0 ? 0 : ThreadLocalRandom.current().nextDouble(-spread, spread));
    long capped = (long) Math.min(millis, max.toMillis());
    return Duration.ofMillis(Math.max(0, capped));
  }
}
