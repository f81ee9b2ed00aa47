package dev.providergateway.usage;

import static java.util.Objects.requireNonNull;

import dev.providergateway.state.PeriodCounters;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link BudgetLedger} over the state store's {@link PeriodCounters}, so every replica adds to
 * the same budget totals (Redis {@code INCRBY} + {@code PEXPIREAT} when {@code state.redis_url} is
 * set). Thread-safe and never blocking: the store is asynchronous, and a budget check must not wait
 * for it on a gRPC or event-loop thread.
 *
 * <p>So each counter's total is mirrored here: an {@link #add} updates the mirror at once and
 * replaces it with the store's total when the store answers; a {@link #total} returns the mirror
 * and asks the store for a fresh total in the background. A replica therefore sees the other
 * replicas' spend at most one request late, which adds at most one call per replica to the
 * documented overshoot. With the store down, {@link PeriodCounters} counts locally, and so does
 * this mirror.
 */
public final class SharedBudgetLedger implements BudgetLedger {
  // Counter names are key id + period (bounded by the configured keys); old periods' names are
  // dropped wholesale when the mirror reaches this size, and re-read from the store when needed.
  private static final int MAX_COUNTERS = 10_000;

  private final PeriodCounters counters;
  private final Map<String, Long> mirror = new ConcurrentHashMap<>();

  /** A ledger over {@code counters}. */
  public SharedBudgetLedger(PeriodCounters counters) {
    this.counters = requireNonNull(counters, "counters");
  }

  @Override
  public long add(String counter, long amount, Instant expiresAt) {
    bound(counter);
    long local = mirror.merge(counter, amount, Long::sum);
    refresh(counter, counters.add(counter, amount, expiresAt));
    return local;
  }

  @Override
  public long total(String counter) {
    bound(counter);
    refresh(counter, counters.total(counter));
    return mirror.getOrDefault(counter, 0L);
  }

  private void refresh(String counter, CompletableFuture<Long> fromStore) {
    fromStore.whenComplete(
        (total, failure) -> {
          if (failure == null && total != null) {
            // The store's total wins, but never below what this replica has already added and
            // seen (an answer to an older read may arrive after a newer add).
            mirror.merge(counter, total, Math::max);
          }
        });
  }

  private void bound(String counter) {
    if (mirror.size() >= MAX_COUNTERS && !mirror.containsKey(counter)) {
      mirror.clear();
    }
  }
}
