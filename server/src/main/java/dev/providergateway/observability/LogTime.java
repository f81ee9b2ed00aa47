package dev.providergateway.observability;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Log timestamps as {@link Instant#toString()} writes them ({@code 2026-12-03T17:13:31.042Z}, the
 * fraction left out when it is zero), without an {@code Instant} and a {@code DateTimeFormatter}
 * per line: the text of the current second is made once and shared, and only the milliseconds are
 * written per line. Thread-safe (the cached second is an immutable value in a volatile field).
 */
final class LogTime {
  // Years 0000 to 9999: Instant.toString writes other years with a sign or more digits.
  private static final long FIRST_SECOND = -62_167_219_200L;
  private static final long LAST_SECOND = 253_402_300_799L;

  private record Second(long epochSecond, String text) {}

  private static volatile Second last = new Second(Long.MIN_VALUE, "");

  private LogTime() {}

  /** {@code millis} since the epoch, as {@code Instant.ofEpochMilli(millis).toString()}. */
  static String format(long millis) {
    return append(new StringBuilder(24), millis).toString();
  }

  /** Appends {@code millis} since the epoch as {@code Instant.ofEpochMilli(millis).toString()}. */
  static StringBuilder append(StringBuilder out, long millis) {
    long second = Math.floorDiv(millis, 1000);
    int ms = (int) Math.floorMod(millis, 1000);
    if (second < FIRST_SECOND || second > LAST_SECOND) {
      return out.append(Instant.ofEpochMilli(millis));
    }
    Second s = last;
    if (s.epochSecond != second) {
      s = new Second(second, secondText(second));
      last = s;
    }
    out.append(s.text);
    if (ms != 0) {
      out.append('.').append((char) ('0' + ms / 100)).append((char) ('0' + ms / 10 % 10));
      out.append((char) ('0' + ms % 10));
    }
    return out.append('Z');
  }

  private static String secondText(long epochSecond) {
    LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
    StringBuilder b = new StringBuilder(19);
    digits(b, t.getYear(), 4).append('-');
    digits(b, t.getMonthValue(), 2).append('-');
    digits(b, t.getDayOfMonth(), 2).append('T');
    digits(b, t.getHour(), 2).append(':');
    digits(b, t.getMinute(), 2).append(':');
    return digits(b, t.getSecond(), 2).toString();
  }

  private static StringBuilder digits(StringBuilder b, int value, int width) {
    String s = Integer.toString(value);
    for (int i = s.length(); i < width; i++) {
      b.append('0');
    }
    return b.append(s);
  }
}
