package dev.providergateway.auth;

import static java.util.Objects.requireNonNull;

import dev.providergateway.config.ApiKeyConfig;
import dev.providergateway.config.AuthConfig;
import dev.providergateway.provider.GatewayOverloadedException;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-key request and token rate limits, as Bucket4j token buckets that refill continuously over a
 * minute (a key may burst up to its per-minute budget). A request takes one request token; it is
 * admitted while the key's token budget is above zero, and its usage is charged when it ends (the
 * budget may go negative, which delays the next requests). Buckets live in this process: with N
 * replicas a key gets up to N times its limits (see docs/scaling.md for a shared store).
 *
 * <p>Immutable map of buckets, each thread-safe. A config reload builds a new instance that keeps
 * the buckets of keys whose limits did not change.
 */
public final class KeyRateLimits {
  private record Limits(
      int requestsPerMinute, int tokensPerMinute, Bucket requests, Bucket tokens) {}

  private final Map<String, Limits> byKey;

  private KeyRateLimits(Map<String, Limits> byKey) {
    this.byKey = byKey;
  }

  /** No limits at all. */
  public static KeyRateLimits none() {
    return new KeyRateLimits(Map.of());
  }

  /**
   * Buckets for {@code config}'s keys; those of {@code previous} are kept for keys whose limits are
   * unchanged, so a reload does not hand every key a fresh budget.
   */
  public static KeyRateLimits of(AuthConfig config, Clock clock, KeyRateLimits previous) {
    requireNonNull(clock, "clock");
    TimeMeter time = new ClockTimeMeter(clock);
    Map<String, Limits> byKey = new HashMap<>();
    for (ApiKeyConfig key : config.keys()) {
      Limits old = previous == null ? null : previous.byKey.get(key.id());
      if (old != null
          && old.requestsPerMinute == key.requestsPerMinute()
          && old.tokensPerMinute == key.tokensPerMinute()) {
        byKey.put(key.id(), old);
      } else if (key.requestsPerMinute() > 0 || key.tokensPerMinute() > 0) {
        byKey.put(
            key.id(),
            new Limits(
                key.requestsPerMinute(),
                key.tokensPerMinute(),
                bucket(key.requestsPerMinute(), time),
                bucket(key.tokensPerMinute(), time)));
      }
    }
    return new KeyRateLimits(Map.copyOf(byKey));
  }

  /**
   * Takes one request from {@code keyId}'s budget, or throws a {@link GatewayOverloadedException}
   * with the wait as its retry delay (nothing is taken then).
   */
  public void admit(String keyId) {
    Limits limits = byKey.get(keyId);
    if (limits == null) {
      return;
    }
    if (limits.tokens != null) {
      EstimationProbe tokens = limits.tokens.estimateAbilityToConsume(1);
      if (!tokens.canBeConsumed()) {
        throw exhausted(
            keyId, "tokens_per_minute", limits.tokensPerMinute, tokens.getNanosToWaitForRefill());
      }
    }
    if (limits.requests != null) {
      ConsumptionProbe probe = limits.requests.tryConsumeAndReturnRemaining(1);
      if (!probe.isConsumed()) {
        throw exhausted(
            keyId,
            "requests_per_minute",
            limits.requestsPerMinute,
            probe.getNanosToWaitForRefill());
      }
    }
  }

  /** Charges {@code tokens} used by a finished request of {@code keyId}. */
  public void charge(String keyId, long tokens) {
    Limits limits = byKey.get(keyId);
    if (limits != null && limits.tokens != null && tokens > 0) {
      limits.tokens.consumeIgnoringRateLimits(tokens);
    }
  }

  private static GatewayOverloadedException exhausted(
      String keyId, String limit, int perMinute, long waitNanos) {
    Duration wait = Duration.ofNanos(Math.max(waitNanos, 1_000_000));
    return GatewayOverloadedException.rateLimited(
        "API key '"
            + keyId
            + "' is over its limit of "
            + perMinute
            + " "
            + limit.replace('_', ' ')
            + "; retry in "
            + Math.max(1, (wait.toMillis() + 999) / 1000)
            + "s",
        Map.of("key_id", keyId, "limit", limit),
        wait);
  }

  private static Bucket bucket(int perMinute, TimeMeter time) {
    if (perMinute <= 0) {
      return null;
    }
    return Bucket.builder()
        .addLimit(
            Bandwidth.builder()
                .capacity(perMinute)
                .refillGreedy(perMinute, Duration.ofMinutes(1))
                .build())
        .withCustomTimePrecision(time)
        .build();
  }

  /** Bucket4j's time source on the injected clock, so tests move time by hand. */
  private record ClockTimeMeter(Clock clock) implements TimeMeter {
    @Override
    public long currentTimeNanos() {
      Instant now = clock.instant();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public boolean isWallClockBased() {
      return true;
    }
  }
}
