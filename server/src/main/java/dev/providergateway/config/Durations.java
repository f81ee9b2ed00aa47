package dev.providergateway.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints the duration notation of the config file: {@code 500ms}, {@code 30s}, ... */
final class Durations {

  static final String EXPECTED = "a duration like 500ms, 30s, 2m, 1h or PT30S";

  private static final Pattern SHORT = Pattern.compile("(\\d{1,18})\\s*(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Parses {@code text} as an amount with a unit ({@code ms}, {@code s}, {@code m}, {@code h},
   * {@code d}) or as ISO-8601 ({@code PT30S}).
   *
   * @throws IllegalArgumentException if it is neither
   */
  static Duration parse(String text) {
    String trimmed = text.strip();
    Matcher m = SHORT.matcher(trimmed.toLowerCase(Locale.ROOT));
    try {
      if (m.matches()) {
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        };
      }
      if (trimmed.regionMatches(true, 0, "P", 0, 1) || trimmed.regionMatches(true, 0, "-P", 0, 2)) {
        return Duration.parse(trimmed);
      }
    } catch (ArithmeticException | DateTimeParseException e) {
      throw new IllegalArgumentException("not " + EXPECTED, e);
    }
    throw new IllegalArgumentException("not " + EXPECTED);
  }

  /** {@code value} in the file's own notation where it fits exactly, else ISO-8601. */
  static String format(Duration value) {
    if (value.isZero()) {
      return "0s";
    }
    // Beyond ~30,000 years toMillis() would overflow; such values print as ISO-8601.
    if (value.isNegative() || value.getNano() % 1_000_000 != 0 || value.getSeconds() > 1L << 40) {
      return value.toString();
    }
    long millis = value.toMillis();
    if (millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }
}
