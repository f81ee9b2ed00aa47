package dev.providergateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.config.BudgetConfig.Period;
import dev.providergateway.provider.Usage;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The book files each charge under the day, week and month (UTC) that contain its instant. */
class UsageBookTest {
  private static long calls(UsageBook book, Period kind, String start) {
    return book.rows(kind, Instant.parse(start)).rows().stream()
        .mapToLong(e -> e.getValue().calls)
        .sum();
  }

  @Test
  void add_chargesEitherSideOfMidnightAndOfAMonthEnd_landInTheirOwnPeriods() {
    UsageBook book = new UsageBook();
    // Sunday 2026-05-31: the last second of a day, an ISO week and a month, then the next ones.
    book.add(Instant.parse("2026-05-31T12:00:00Z"), "k", "p", "m", Usage.of(1, 1), false, 0);
    book.add(Instant.parse("2026-05-31T23:59:59Z"), "k", "p", "m", Usage.of(1, 1), false, 0);
    book.add(Instant.parse("2026-06-01T00:00:00Z"), "k", "p", "m", Usage.of(1, 1), false, 0);
    book.add(Instant.parse("2026-06-02T08:00:00Z"), "k", "p", "m", Usage.of(1, 1), false, 0);
    // A charge stamped earlier than the last one (clocks are not monotonic) still finds its day.
    book.add(Instant.parse("2026-06-01T23:00:00Z"), "k", "p", "m", Usage.of(1, 1), false, 0);

    assertThat(calls(book, Period.DAY, "2026-05-31T00:00:00Z")).isEqualTo(0); // dropped: too old
    assertThat(calls(book, Period.DAY, "2026-06-01T00:00:00Z")).isEqualTo(2);
    assertThat(calls(book, Period.DAY, "2026-06-02T00:00:00Z")).isEqualTo(1);
    assertThat(calls(book, Period.WEEK, "2026-05-25T00:00:00Z")).isEqualTo(2);
    assertThat(calls(book, Period.WEEK, "2026-06-01T00:00:00Z")).isEqualTo(3);
    assertThat(calls(book, Period.MONTH, "2026-05-01T00:00:00Z")).isEqualTo(2);
    assertThat(calls(book, Period.MONTH, "2026-06-01T00:00:00Z")).isEqualTo(3);
  }
}
