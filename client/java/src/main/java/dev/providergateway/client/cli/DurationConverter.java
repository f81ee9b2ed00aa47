package dev.providergateway.client.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code --timeout}: a positive number with a unit ({@code 500ms}, {@code 30s}, {@code 2m},
 * {@code 1h}), a plain number of seconds, or an ISO-8601 duration ({@code PT30S}). Stateless.
 */
final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)?");

  @Override
  public Duration convert(String value) {
    Duration duration = parse(value.trim().toLowerCase(Locale.ROOT));
    if (duration.isZero() || duration.isNegative()) {
      throw new TypeConversionException("must be positive: '" + value + "'");
    }
    return duration;
  }

  private static Duration parse(String value) {
    Matcher simple = SIMPLE.matcher(value);
    if (simple.matches()) {
      long amount;
      try {
        amount = Long.parseLong(simple.group(1));
      } catch (NumberFormatException e) {
        throw new TypeConversionException("too large: '" + value + "'");
      }
      String unit = simple.group(2) == null ? "s" : simple.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofSeconds(amount);
      };
    }
    try {
      return Duration.parse(value.toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new TypeConversionException(
          "not a duration: '" + value + "' (use e.g. 500ms, 30s, 2m, 1h or PT30S)");
    }
  }
}
