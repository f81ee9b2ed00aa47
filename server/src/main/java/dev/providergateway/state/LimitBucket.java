package dev.providergateway.state;

import java.util.concurrent.CompletableFuture;

/**
 * A token bucket of one limit (say, one API key's requests per minute) that refills greedily over a
 * minute: it starts full at the per-minute limit and gains {@code limit / 60,000} tokens every
 * millisecond. In-process (a Bucket4j bucket), or shared by every replica through the state store
 * (one Lua script per decision, see {@link RedisBuckets}). Thread-safe.
 *
 * <p>Futures complete on the store's I/O thread or at once (local buckets, fallback); none of the
 * methods blocks. A future fails only with {@link
 * dev.providergateway.provider.GatewayUnavailableException} (the store is down and {@code
 * state.fail_closed} is on). Several buckets are decided together, all or nothing, with {@link
 * SharedState#admit}.
 */
public interface LimitBucket {

  /** Takes {@code tokens} if the bucket holds them; takes nothing otherwise. */
  CompletableFuture<Probe> tryConsume(long tokens);

  /** Whether the bucket holds {@code tokens}, taking none. */
  CompletableFuture<Probe> estimate(long tokens);

  /**
   * Takes {@code tokens} even past zero (usage charged after the fact, which delays later
   * requests). Fire and forget: a store failure is logged through the store's health only.
   */
  void charge(long tokens);

  /**
   * One bucket's part in an admission.
   *
   * @param bucket a bucket of the {@link SharedState} that decides
   * @param tokens how many tokens the bucket must hold
   * @param take whether they are taken when the admission is allowed (false: only checked)
   */
  record Demand(LimitBucket bucket, long tokens, boolean take) {}

  /**
   * One decision.
   *
   * @param allowed whether the tokens were (or could be) taken
   * @param nanosToWait when refused, how long until the bucket holds them; 0 when allowed
   */
  record Probe(boolean allowed, long nanosToWait) {
    static final Probe ALLOWED = new Probe(true, 0);
  }
}
