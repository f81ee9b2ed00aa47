package dev.providergateway.state;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Counters that add up over a period and then expire (budgets: tokens or cost per key per day),
 * kept in the state store so every replica adds to the same total. Thread-safe; no method blocks.
 *
 * <p>With the store down, amounts are added to a local counter and totals read it (the shared total
 * misses them once the store is back); under {@code state.fail_closed} the futures fail with {@link
 * dev.providergateway.provider.GatewayUnavailableException} instead.
 */
public interface PeriodCounters {

  /**
   * Adds {@code amount} (may be negative) to {@code key}, which expires at {@code expiresAt} (the
   * end of its period), in one atomic step.
   *
   * @return the total after the addition
   */
  CompletableFuture<Long> add(String key, long amount, Instant expiresAt);

  /** The total of {@code key}, 0 when it was never added to or has expired. */
  CompletableFuture<Long> total(String key);
}
