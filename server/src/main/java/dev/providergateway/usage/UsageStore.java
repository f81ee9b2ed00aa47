package dev.providergateway.usage;

import static java.util.Objects.requireNonNull;

/**
 * The usage state that outlives config reloads: the budget ledger and the usage book. The server
 * creates one at startup and hands it to every config generation's {@link Accounting}.
 *
 * @param ledger where budget spend is counted (in memory unless a shared store is plugged in)
 * @param book what this replica's callers consumed, for {@code AdminService.GetUsage}
 */
public record UsageStore(BudgetLedger ledger, UsageBook book) {
  public UsageStore {
    requireNonNull(ledger, "ledger");
    requireNonNull(book, "book");
  }
}
