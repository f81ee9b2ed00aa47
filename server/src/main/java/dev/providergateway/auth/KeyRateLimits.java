package dev.providergateway.auth;

import static java.util.Objects.requireNonNull;

import dev.providergateway.config.ApiKeyConfig;
import dev.providergateway.config.AuthConfig;
import dev.providergateway.provider.GatewayOverloadedException;
import dev.providergateway.state.LimitBucket;
import dev.providergateway.state.SharedState;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Per-key request and token rate limits, as Bucket4j token buckets that refill continuously over a
 * minute (a key may burst up to its per-minute budget). A request takes one request token; it is
 * admitted while the key's token budget is above zero, and its usage is charged when it ends (the
 * budget may go negative, which delays the next requests).
 *
 * <p>The buckets live in a {@link SharedState}: in this process, or in Redis so that a key gets its
 * limits exactly once across every replica ({@code state.redis_url}). The token check and the
 * request take are one all-or-nothing decision ({@link SharedState#admit}): in Redis one Lua
 * script, one round trip; nothing blocks: {@link #admit} returns a future. With Redis down it is
 * decided locally at {@code limit / state.replicas}.
 *
 * <p>Immutable map of buckets, each thread-safe. A config reload builds a new instance that keeps
 * the buckets of keys whose limits did not change.
 */
public final class KeyRateLimits {
  private static final CompletableFuture<Void> ADMITTED = CompletableFuture.completedFuture(null);

  private record Limits(
      int requestsPerMinute, int tokensPerMinute, LimitBucket requests, LimitBucket tokens) {}

  private final Map<String, Limits> byKey;
  private final SharedState state;

  private KeyRateLimits(Map<String, Limits> byKey, SharedState state) {
    this.byKey = byKey;
    this.state = state;
  }

  /** No limits at all. */
  public static KeyRateLimits none() {
    return new KeyRateLimits(Map.of(), null);
  }

  /**
   * In-process buckets on {@code clock}; see {@link #of(AuthConfig, SharedState, KeyRateLimits)}.
   */
  public static KeyRateLimits of(AuthConfig config, Clock clock, KeyRateLimits previous) {
    requireNonNull(clock, "clock");
    // The previous limits' state holds the buckets that are kept.
    SharedState state =
        previous != null && previous.state != null ? previous.state : SharedState.local(clock);
    return of(config, state, previous);
  }

  /**
   * Buckets for {@code config}'s keys in {@code state}; those of {@code previous} are kept for keys
   * whose limits are unchanged, so a reload does not hand every key a fresh budget.
   */
  public static KeyRateLimits of(AuthConfig config, SharedState state, KeyRateLimits previous) {
    requireNonNull(state, "state");
    Map<String, Limits> byKey = new HashMap<>();
    for (ApiKeyConfig key : config.keys()) {
      Limits old = previous == null ? null : previous.byKey.get(key.id());
      // Buckets are kept only within one state (a decision spans the buckets of one state).
      if (old != null
          && previous.state == state
          && old.requestsPerMinute == key.requestsPerMinute()
          && old.tokensPerMinute == key.tokensPerMinute()) {
        byKey.put(key.id(), old);
      } else if (key.requestsPerMinute() > 0 || key.tokensPerMinute() > 0) {
        byKey.put(
            key.id(),
            new Limits(
                key.requestsPerMinute(),
                key.tokensPerMinute(),
                bucket(state, "requests:" + key.id(), key.requestsPerMinute()),
                bucket(state, "tokens:" + key.id(), key.tokensPerMinute())));
      }
    }
    return new KeyRateLimits(Map.copyOf(byKey), state);
  }

  /**
   * Takes one request from {@code keyId}'s budget. The future fails with a {@link
   * GatewayOverloadedException} carrying the wait as its retry delay (nothing is taken then), or,
   * when the shared store is down under {@code state.fail_closed}, with a {@link
   * dev.providergateway.provider.GatewayUnavailableException}. Without a shared store the future is
   * already complete.
   */
  public CompletableFuture<Void> admit(String keyId) {
    Limits limits = byKey.get(keyId);
    if (limits == null) {
      return ADMITTED;
    }
    // One all-or-nothing decision over the key's buckets: in Redis one script, one round trip.
    // The request token is taken only if the token budget is above zero too.
    List<LimitBucket.Demand> demands = new ArrayList<>(2);
    if (limits.tokens != null) {
      demands.add(new LimitBucket.Demand(limits.tokens, 1, false));
    }
    if (limits.requests != null) {
      demands.add(new LimitBucket.Demand(limits.requests, 1, true));
    }
    return state
        .admit(demands)
        .thenApply(
            probes -> {
              int i = 0;
              if (limits.tokens != null) {
                LimitBucket.Probe t = probes.get(i++);
                if (!t.allowed()) {
                  throw exhausted(
                      keyId, "tokens_per_minute", limits.tokensPerMinute, t.nanosToWait());
                }
              }
              if (limits.requests != null) {
                LimitBucket.Probe r = probes.get(i);
                if (!r.allowed()) {
                  throw exhausted(
                      keyId, "requests_per_minute", limits.requestsPerMinute, r.nanosToWait());
                }
              }
              return null;
            });
  }

  /** Charges {@code tokens} used by a finished request of {@code keyId} (never waits). */
  public void charge(String keyId, long tokens) {
    Limits limits = byKey.get(keyId);
    if (limits != null && limits.tokens != null && tokens > 0) {
      limits.tokens.charge(tokens);
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

  private static LimitBucket bucket(SharedState state, String name, int perMinute) {
    return perMinute <= 0 ? null : state.bucket(name, perMinute);
  }
}
