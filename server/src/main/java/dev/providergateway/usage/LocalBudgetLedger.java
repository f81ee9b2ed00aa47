package dev.providergateway.usage;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link BudgetLedger} in this process's memory. Counters are dropped once expired, on the next
 * write, so the map holds about two periods of counters per key with a budget (key ids come from
 * the config, so it is bounded). With N replicas each counts its own spend: a budget then holds per
 * replica, not for the fleet.
 */
public final class LocalBudgetLedger implements BudgetLedger {
  private record Counter(AtomicLong total, Instant expiresAt) {}

  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final Clock clock;

  /** A ledger whose counters expire by {@code clock}. */
  public LocalBudgetLedger(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public long add(String counter, long amount, Instant expiresAt) {
    Instant now = clock.instant();
    counters.values().removeIf(c -> !c.expiresAt.isAfter(now));
    Counter c =
        counters.compute(
            counter,
            (k, old) ->
                old == null || !old.expiresAt.isAfter(now)
                    ? new Counter(new AtomicLong(), expiresAt)
                    : old);
    return c.total.addAndGet(amount);
  }

  @Override
  public long total(String counter) {
    Counter c = counters.get(counter);
    return c == null || !c.expiresAt.isAfter(clock.instant()) ? 0 : c.total.get();
  }
}
