package dev.providergateway.state;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The state that replicas of one gateway share: per-key limit buckets, cooldowns and period
 * counters. {@link #local} keeps everything in this process (one replica); {@link RedisState}
 * shares it through Redis and falls back to local decisions while Redis is unreachable.
 *
 * <p>Built once at startup and shared by every config generation; the gateway closes it at
 * shutdown. Thread-safe.
 */
public interface SharedState extends AutoCloseable {

  /**
   * The bucket named {@code name} (unique per limit, such as {@code requests:KEY_ID}) allowing
   * {@code perMinute} tokens a minute. A changed limit is another bucket.
   */
  LimitBucket bucket(String name, long perMinute);

  /**
   * Decides {@code demands} (on buckets of this state) together, all or nothing: when every bucket
   * holds its tokens, those marked {@code take} are taken; when any does not, none is. Shared
   * through Redis this is one command, one round trip. Never blocks.
   *
   * @return one probe per demand, in order; a refused probe says how long until that bucket holds
   *     its tokens (0 for the buckets that hold them)
   */
  CompletableFuture<List<LimitBucket.Probe>> admit(List<LimitBucket.Demand> demands);

  /** The cooldowns. */
  CooldownMap cooldowns();

  /** The period counters. */
  PeriodCounters counters();

  /** Whether the shared store is reachable now (always true in-process). */
  boolean up();

  /** Whether the state is shared with other replicas (false in-process). */
  boolean shared();

  @Override
  void close();

  /** Everything in this process, on {@code clock}. */
  static SharedState local(java.time.Clock clock) {
    return new LocalState(clock, 1);
  }
}
