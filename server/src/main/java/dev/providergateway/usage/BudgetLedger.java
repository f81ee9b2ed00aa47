package dev.providergateway.usage;

import java.time.Instant;

/**
 * Where budget spend is counted: named counters that grow by amounts and expire at an instant (the
 * end of their period plus a margin). {@link LocalBudgetLedger} keeps them in this process; a
 * shared store (such as Redis {@code INCRBY} + {@code EXPIREAT}) makes a budget hold across
 * replicas. Implementations are thread-safe and must not block for long: {@link #total} is read
 * before every request of a key with a budget.
 */
public interface BudgetLedger {
  /**
   * Adds {@code amount} to {@code counter}, which expires at {@code expiresAt}, and returns the new
   * total.
   */
  long add(String counter, long amount, Instant expiresAt);

  /** The total of {@code counter}; 0 if it does not exist or has expired. */
  long total(String counter);
}
