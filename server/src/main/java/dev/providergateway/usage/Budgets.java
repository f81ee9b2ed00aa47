package dev.providergateway.usage;

import dev.providergateway.config.ApiKeyConfig;
import dev.providergateway.config.AuthConfig;
import dev.providergateway.config.BudgetConfig;
import dev.providergateway.provider.GatewayOverloadedException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys' budgets, counted in a {@link BudgetLedger}: per key and calendar period (UTC), one
 * counter of cost in billionths of the currency unit and one of tokens. A request is admitted while
 * every limit of its key is above the spend so far; what each attempt consumed is added when it
 * ends. So a call admitted just under the limit still runs to its end: the overshoot is at most
 * what the calls in flight at that moment consume (with {@code max_tokens} set, bounded by it times
 * their number).
 *
 * <p>Thread-safe; the ledger is the only state besides the once-per-period warning marks.
 */
final class Budgets {
  private static final System.Logger LOG = System.getLogger(Budgets.class.getName());
  static final BigDecimal NANOS = BigDecimal.valueOf(1_000_000_000L);
  // Counters outlive their period a little, so a late charge or a skewed replica still finds them.
  private static final Duration KEEP = Duration.ofDays(2);

  /** Someone to tell when a key crosses its soft threshold. */
  interface Warnings {
    void budgetWarning(String keyId, String limit);
  }

  private final Map<String, BudgetConfig> byKey;
  private final BudgetLedger ledger;
  private final Clock clock;
  private final String currency;
  private final Warnings warnings;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  Budgets(AuthConfig auth, BudgetLedger ledger, Clock clock, String currency, Warnings warnings) {
    Map<String, BudgetConfig> budgets = new HashMap<>();
    for (ApiKeyConfig key : auth.keys()) {
      if (key.budget() != null) {
        budgets.put(key.id(), key.budget());
      }
    }
    this.byKey = Map.copyOf(budgets);
    this.ledger = ledger;
    this.clock = clock;
    this.currency = currency;
    this.warnings = warnings;
  }

  /** Throws BUDGET_EXCEEDED when {@code keyId} has reached a limit for the current period. */
  void admit(String keyId) {
    BudgetConfig budget = byKey.get(keyId);
    if (budget == null) {
      return;
    }
    Instant now = clock.instant();
    Instant start = Periods.start(budget.period(), now);
    Instant resets = Periods.end(budget.period(), start);
    if (budget.amount() != null) {
      long limit = nanos(budget.amount());
      long spent = ledger.total(counter(keyId, start, "cost"));
      if (spent >= limit) {
        throw exceeded(keyId, budget, currency, money(spent), money(limit), now, resets);
      }
    }
    if (budget.tokens() > 0) {
      long spent = ledger.total(counter(keyId, start, "tokens"));
      if (spent >= budget.tokens()) {
        throw exceeded(
            keyId,
            budget,
            "tokens",
            Long.toString(spent),
            Long.toString(budget.tokens()),
            now,
            resets);
      }
    }
  }

  /** Adds what one attempt of {@code keyId} consumed; {@code costNanos} < 0 when unpriced. */
  void charge(String keyId, long tokens, long costNanos) {
    BudgetConfig budget = byKey.get(keyId);
    if (budget == null) {
      return;
    }
    Instant start = Periods.start(budget.period(), clock.instant());
    Instant expires = Periods.end(budget.period(), start).plus(KEEP);
    if (budget.amount() != null && costNanos > 0) {
      long total = ledger.add(counter(keyId, start, "cost"), costNanos, expires);
      warn(keyId, budget, start, "amount", total, nanos(budget.amount()));
    }
    if (budget.tokens() > 0 && tokens > 0) {
      long total = ledger.add(counter(keyId, start, "tokens"), tokens, expires);
      warn(keyId, budget, start, "tokens", total, budget.tokens());
    }
  }

  private void warn(
      String keyId, BudgetConfig budget, Instant start, String limit, long total, long max) {
    if (budget.warnPercent() == 0 || total * 100.0 < max * (double) budget.warnPercent()) {
      return;
    }
    if (warned.add(keyId + "|" + start + "|" + limit)) {
      // Marks of past periods are dropped: at most two periods' marks per key stay.
      warned.removeIf(m -> m.startsWith(keyId + "|") && !m.contains("|" + start + "|"));
      LOG.log(
          System.Logger.Level.WARNING,
          "API key ''{0}'' has used {1}% of its {2} budget ({3}) for the {4} that began {5}",
          keyId,
          budget.warnPercent(),
          limit,
          limit.equals("amount") ? money(total) + " " + currency : total + " tokens",
          budget.period().name().toLowerCase(java.util.Locale.ROOT),
          start);
      warnings.budgetWarning(keyId, limit);
    }
  }

  private GatewayOverloadedException exceeded(
      String keyId,
      BudgetConfig budget,
      String unit,
      String spent,
      String limit,
      Instant now,
      Instant resets) {
    Duration wait = Duration.between(now, resets);
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("key_id", keyId);
    metadata.put("spent", spent);
    metadata.put("limit", limit);
    metadata.put("unit", unit);
    metadata.put("period", budget.period().name().toLowerCase(java.util.Locale.ROOT));
    metadata.put("resets_at", resets.toString());
    String adjective =
        switch (budget.period()) {
          case DAY -> "daily";
          case WEEK -> "weekly";
          case MONTH -> "monthly";
        };
    return GatewayOverloadedException.budgetExceeded(
        "API key '"
            + keyId
            + "' has used its "
            + adjective
            + " budget of "
            + limit
            + " "
            + unit
            + " (spent "
            + spent
            + "); it resets at "
            + resets,
        metadata,
        wait);
  }

  static long nanos(BigDecimal amount) {
    return amount.multiply(NANOS).setScale(0, RoundingMode.HALF_UP).longValue();
  }

  static String money(long nanos) {
    return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
  }

  private static String counter(String keyId, Instant start, String kind) {
    return "budget:" + keyId + ":" + start.getEpochSecond() + ":" + kind;
  }
}
