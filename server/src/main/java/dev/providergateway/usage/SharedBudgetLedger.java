package dev.providergateway.usage;

import static java.util.Objects.requireNonNull;

import dev.providergateway.state.PeriodCounters;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link BudgetLedger} over the state store's {@link PeriodCounters}, so every replica adds to
 * the same budget totals (Redis {@code INCRBY} + {@code PEXPIREAT} when {@code state.redis_url} is
 * set). Thread-safe and never blocking: the store is asynchronous, and a budget check must not wait
 * for it on a gRPC or event-loop thread.
 *
 * <p>So each counter's total is mirrored here: an {@link #add} updates the mirror at once and
 * replaces it with the store's total when the store answers; a {@link #total} returns the mirror
 * and asks the store for a fresh total in the background, at most once per {@link #REFRESH} per
 * counter and with at most one such read in flight, so budget checks add no command to an admission
 * (an admission is one round trip: the limits' script) and a busy key costs the store at most ten
 * reads a second. A replica therefore sees the other replicas' spend at most {@link #REFRESH} plus
 * one round trip late, which adds the calls admitted in that time to the documented overshoot. With
 * the store down, {@link PeriodCounters} counts locally, and so does this mirror.
 */
public final class SharedBudgetLedger implements BudgetLedger {
  // Counter names are key id + period (bounded by the configured keys); old periods' names are
  // dropped wholesale when the mirror reaches this size, and re-read from the store when needed.
  private static final int MAX_COUNTERS = 10_000;

  /** The shortest time between two reads of one counter's total from the store. */
  static final Duration REFRESH = Duration.ofMillis(100);

  // Per counter: the System.nanoTime() from which the next read may go out, IN_FLIGHT while one is
  // out, 0 before the first.
  private static final long IN_FLIGHT = Long.MAX_VALUE;

  private final PeriodCounters counters;
  private final Map<String, Long> mirror = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> nextRead = new ConcurrentHashMap<>();

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
    AtomicLong gate = nextRead.computeIfAbsent(counter, c -> new AtomicLong());
    long next = gate.get();
    if (next != IN_FLIGHT
        && (next == 0 || System.nanoTime() - next >= 0)
        && gate.compareAndSet(next, IN_FLIGHT)) {
      refresh(counter, counters.total(counter))
          .whenComplete((v, f) -> gate.set(System.nanoTime() + REFRESH.toNanos()));
    }
    return mirror.getOrDefault(counter, 0L);
  }

  private CompletableFuture<Long> refresh(String counter, CompletableFuture<Long> fromStore) {
    return fromStore.whenComplete(
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
    if (nextRead.size() >= MAX_COUNTERS && !nextRead.containsKey(counter)) {
      nextRead.clear();
    }
  }
}
