package dev.providergateway.config;

import java.math.BigDecimal;

/**
 * The {@code budget} of one API key: what it may spend per calendar period (UTC), in the pricing
 * currency and/or in tokens. A request is refused with RESOURCE_EXHAUSTED, reason BUDGET_EXCEEDED,
 * once the key's spend for the period has reached a limit; calls already running finish and are
 * charged.
 *
 * @param period the period the limits apply to
 * @param amount the most the key may spend per period in the pricing currency; null for no amount
 *     limit
 * @param tokens the most prompt plus completion tokens per period; 0 for no token limit
 * @param warnPercent the share of a limit (1..100) at which one warning per key and period is
 *     logged and counted; 0 for none
 */
public record BudgetConfig(Period period, BigDecimal amount, long tokens, int warnPercent) {

  /** A calendar period in UTC. */
  public enum Period {
    DAY,
    WEEK,
    MONTH
  }

  public BudgetConfig {
    if (period == null) {
      throw ConfigException.at("period", "required key is missing, expected day, week or month");
    }
    if (amount != null && amount.signum() < 0) {
      throw ConfigException.at(
          "amount", amount.toPlainString() + " is negative, expected an amount of zero or more");
    }
    if (tokens < 0) {
      throw ConfigException.at("tokens", tokens + " is negative, expected a count of zero or more");
    }
    if (amount == null && tokens == 0) {
      throw ConfigException.at(
          "amount", "required key is missing, expected amount (currency) and/or tokens");
    }
    Checks.range("warn_percent", warnPercent, 0, 100);
  }
}
