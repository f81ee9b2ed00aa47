package dev.providergateway.state;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import java.util.concurrent.CompletableFuture;

/**
 * A bucket in Redis (Bucket4j's compare-and-swap on one key), with a local bucket at {@code limit /
 * state.replicas} for when Redis is down.
 */
final class RedisBucket implements LimitBucket {
  private final RedisState state;
  private final String key;
  private final BucketConfiguration configuration;
  private final LimitBucket local;

  RedisBucket(RedisState state, String key, BucketConfiguration configuration, LimitBucket local) {
    this.state = state;
    this.key = key;
    this.configuration = configuration;
    this.local = local;
  }

  private AsyncBucketProxy remote(RedisState.Links links) {
    return links
        .buckets()
        .builder()
        .build(key, () -> CompletableFuture.completedFuture(configuration));
  }

  @Override
  public CompletableFuture<Probe> tryConsume(long tokens) {
    return state.call(
        l -> remote(l).tryConsumeAndReturnRemaining(tokens).thenApply(LocalState::probe),
        () -> local.tryConsume(tokens));
  }

  @Override
  public CompletableFuture<Probe> estimate(long tokens) {
    return state.call(
        l ->
            remote(l)
                .estimateAbilityToConsume(tokens)
                .thenApply(
                    p ->
                        p.canBeConsumed()
                            ? Probe.ALLOWED
                            : new Probe(false, p.getNanosToWaitForRefill())),
        () -> local.estimate(tokens));
  }

  @Override
  public void charge(long tokens) {
    if (tokens <= 0) {
      return;
    }
    state
        .call(
            l -> remote(l).consumeIgnoringRateLimits(tokens),
            () -> {
              local.charge(tokens);
              return CompletableFuture.completedFuture(0L);
            })
        .exceptionally(failure -> 0L);
  }

  @Override
  public void refund(long tokens) {
    if (tokens <= 0) {
      return;
    }
    state
        .call(
            l -> remote(l).addTokens(tokens),
            () -> {
              local.refund(tokens);
              return CompletableFuture.<Void>completedFuture(null);
            })
        .exceptionally(failure -> null);
  }
}
