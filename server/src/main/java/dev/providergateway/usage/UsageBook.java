package dev.providergateway.usage;

import dev.providergateway.config.BudgetConfig;
import dev.providergateway.provider.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What this replica's callers consumed, per key, provider and model, for the current and the
 * previous day, week and month (UTC), as {@code AdminService.GetUsage} reports it. Older periods
 * are dropped as new ones begin. Bounded: key ids come from the config and provider names from the
 * registry; models are what upstreams report, so each key and provider keeps at most {@value
 * #MAX_MODELS} of them per period and counts the rest as {@value #OTHER}.
 *
 * <p>Thread-safe: one lock, held for a few map operations per charge.
 */
public final class UsageBook {
  static final int MAX_MODELS = 100;
  static final String OTHER = "other";

  /** One row's key. */
  record RowKey(String keyId, String provider, String model) {}

  /** One row's totals. */
  static final class Row {
    long calls;
    long promptTokens;
    long completionTokens;
    long cacheReadTokens;
    long cacheWriteTokens;
    long reasoningTokens;
    long estimatedTokens;
    long costNanos;
    long unpricedCalls;

    Row copy() {
      Row r = new Row();
      r.calls = calls;
      r.promptTokens = promptTokens;
      r.completionTokens = completionTokens;
      r.cacheReadTokens = cacheReadTokens;
      r.cacheWriteTokens = cacheWriteTokens;
      r.reasoningTokens = reasoningTokens;
      r.estimatedTokens = estimatedTokens;
      r.costNanos = costNanos;
      r.unpricedCalls = unpricedCalls;
      return r;
    }
  }

  /** A period's rows, sorted by key, provider and model. */
  record PeriodRows(Instant start, Instant end, List<Map.Entry<RowKey, Row>> rows) {}

  private static final BudgetConfig.Period[] KINDS = BudgetConfig.Period.values();

  private final Map<BudgetConfig.Period, Map<Instant, Map<RowKey, Row>>> periods = new HashMap<>();

  /**
   * The UTC day of the last charge, [start, end) in epoch seconds, and the start of each kind of
   * period containing it: every charge of a day reuses them instead of doing calendar arithmetic.
   */
  private long dayStart = 1;

  private long dayEnd = 0;
  private Instant[] starts;

  /** Adds one attempt's consumption at {@code at}; {@code costNanos} < 0 when unpriced. */
  public synchronized void add(
      Instant at,
      String keyId,
      String provider,
      String model,
      Usage usage,
      boolean estimated,
      long costNanos) {
    Instant[] starts = startsAt(at);
    RowKey named = new RowKey(keyId, provider, model);
    for (BudgetConfig.Period kind : KINDS) {
      Instant start = starts[kind.ordinal()];
      Map<Instant, Map<RowKey, Row>> byStart = periods.computeIfAbsent(kind, k -> new HashMap<>());
      if (!byStart.containsKey(start)) {
        Instant previous = Periods.previous(kind, start);
        byStart.keySet().removeIf(s -> s.isBefore(previous));
      }
      Map<RowKey, Row> rows = byStart.computeIfAbsent(start, s -> new HashMap<>());
      RowKey key = named;
      if (!rows.containsKey(key) && modelsOf(rows, keyId, provider) >= MAX_MODELS) {
        key = new RowKey(keyId, provider, OTHER);
      }
      Row row = rows.computeIfAbsent(key, k -> new Row());
      row.calls++;
      row.promptTokens += usage.promptTokens();
      row.completionTokens += usage.completionTokens();
      row.cacheReadTokens += usage.cacheReadTokens();
      row.cacheWriteTokens += usage.cacheWriteTokens();
      row.reasoningTokens += usage.reasoningTokens();
      if (estimated) {
        row.estimatedTokens += usage.totalTokens();
      }
      if (costNanos >= 0) {
        row.costNanos += costNanos;
      } else {
        row.unpricedCalls++;
      }
    }
  }

  /** The start of each kind of period (by ordinal) that contains {@code at}. Under the lock. */
  private Instant[] startsAt(Instant at) {
    long second = at.getEpochSecond();
    if (second < dayStart || second >= dayEnd) {
      Instant[] fresh = new Instant[KINDS.length];
      for (BudgetConfig.Period kind : KINDS) {
        fresh[kind.ordinal()] = Periods.start(kind, at);
      }
      starts = fresh;
      dayStart = fresh[BudgetConfig.Period.DAY.ordinal()].getEpochSecond();
      dayEnd =
          Periods.end(BudgetConfig.Period.DAY, fresh[BudgetConfig.Period.DAY.ordinal()])
              .getEpochSecond();
    }
    return starts;
  }

  /** The rows of the period of kind {@code kind} that starts at {@code start} (copies). */
  synchronized PeriodRows rows(BudgetConfig.Period kind, Instant start) {
    Map<RowKey, Row> rows = periods.getOrDefault(kind, Map.of()).getOrDefault(start, Map.of());
    List<Map.Entry<RowKey, Row>> copy = new ArrayList<>();
    rows.forEach((k, v) -> copy.add(Map.entry(k, v.copy())));
    copy.sort(
        Comparator.comparing((Map.Entry<RowKey, Row> e) -> e.getKey().keyId())
            .thenComparing(e -> e.getKey().provider())
            .thenComparing(e -> e.getKey().model()));
    return new PeriodRows(start, Periods.end(kind, start), copy);
  }

  private static long modelsOf(Map<RowKey, Row> rows, String keyId, String provider) {
    return rows.keySet().stream()
        .filter(k -> k.keyId().equals(keyId) && k.provider().equals(provider))
        .count();
  }
}
