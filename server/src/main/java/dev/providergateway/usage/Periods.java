package dev.providergateway.usage;

import dev.providergateway.config.BudgetConfig;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;

/** Calendar periods in UTC: days, ISO weeks (from Monday) and months. */
final class Periods {
  private Periods() {}

  /** The start of the period of kind {@code period} that contains {@code at}. */
  static Instant start(BudgetConfig.Period period, Instant at) {
    LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
    LocalDate first =
        switch (period) {
          case DAY -> day;
          case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
          case MONTH -> day.withDayOfMonth(1);
        };
    return first.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** The end (exclusive) of the period of kind {@code period} that starts at {@code start}. */
  static Instant end(BudgetConfig.Period period, Instant start) {
    LocalDate first = LocalDate.ofInstant(start, ZoneOffset.UTC);
    LocalDate next =
        switch (period) {
          case DAY -> first.plusDays(1);
          case WEEK -> first.plusWeeks(1);
          case MONTH -> first.plusMonths(1);
        };
    return next.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** The start of the period before the one that starts at {@code start}. */
  static Instant previous(BudgetConfig.Period period, Instant start) {
    return start(period, start.minusSeconds(1));
  }
}
