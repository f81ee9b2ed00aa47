package dev.providergateway.api;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the retry hint out of an error message that says "retry in N" without carrying one (an
 * upstream's own wording, such as Gemini's "Please retry in 41.2s" on a daily quota), so that every
 * error whose message says when to retry also carries {@code RetryInfo}.
 */
final class RetryHints {
  private static final Pattern RETRY_IN =
      Pattern.compile(
          "(?i)retry in (\\d{1,9}(?:\\.\\d{1,9})?)\\s*(ms|milliseconds?|s|seconds?|m|minutes?|h|hours?)\\b");

  private RetryHints() {}

  /** The first "retry in N unit" hint of {@code message}, if it has one. */
  static Optional<Duration> inMessage(String message) {
    if (message == null) {
      return Optional.empty();
    }
    Matcher m = RETRY_IN.matcher(message);
    if (!m.find()) {
      return Optional.empty();
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2).toLowerCase(java.util.Locale.ROOT);
    double millis;
    if (unit.equals("ms") || unit.startsWith("milli")) {
      millis = amount;
    } else if (unit.startsWith("h")) {
      millis = amount * 3_600_000;
    } else if (unit.startsWith("m")) {
      millis = amount * 60_000;
    } else {
      millis = amount * 1000;
    }
    return Optional.of(Duration.ofMillis((long) Math.ceil(millis)));
  }
}
