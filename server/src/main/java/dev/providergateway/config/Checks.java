package dev.providergateway.config;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Validations shared by the config records. Each failure is a {@link ConfigException} keyed by the
 * YAML key name, so the binder can prefix where the record sits in the file.
 */
final class Checks {

  static final Pattern PROVIDER_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
  static final Pattern ROUTE_NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,62}");

  static final String PROVIDER_NAME_RULE =
      "a name matching ^[a-z][a-z0-9_-]{0,62}$ (a lowercase letter, then up to 62 of a-z 0-9 _ -)";
  static final String ROUTE_NAME_RULE =
      "a name matching ^[a-z][a-z0-9_.-]{0,62}$"
          + " (a lowercase letter, then up to 62 of a-z 0-9 _ - .)";

  static final int KIB = 1024;
  static final int GIB = 1024 * 1024 * 1024;

  private Checks() {}

  static void range(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw ConfigException.at(key, value + " is out of range, expected " + min + ".." + max);
    }
  }

  static void atLeast(String key, int value, int min) {
    if (value < min) {
      throw ConfigException.at(key, value + " is out of range, expected at least " + min);
    }
  }

  static void atMost(String key, int value, int max) {
    if (value > max) {
      throw ConfigException.at(key, value + " is out of range, expected at most " + max);
    }
  }

  /** Longer waits are mistakes, and past ~292 years {@code toNanos()} overflows. */
  static final Duration HOUR = Duration.ofHours(1);

  static final Duration DAY = Duration.ofDays(1);

  static void positive(String key, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw ConfigException.at(
          key, Durations.format(value) + " is out of range, expected a duration greater than 0");
    }
  }

  static void atMost(String key, Duration value, Duration max) {
    if (value.compareTo(max) > 0) {
      throw ConfigException.at(
          key,
          Durations.format(value) + " is out of range, expected at most " + Durations.format(max));
    }
  }

  static void notNegative(String key, Duration value) {
    if (value.isNegative()) {
      throw ConfigException.at(
          key, Durations.format(value) + " is out of range, expected a duration of 0 or more");
    }
  }

  /** A provider name, alias or type. */
  static void providerName(String key, String value) {
    name(key, value, PROVIDER_NAME, PROVIDER_NAME_RULE);
  }

  static void routeName(String key, String value) {
    name(key, value, ROUTE_NAME, ROUTE_NAME_RULE);
  }

  private static void name(String key, String value, Pattern pattern, String rule) {
    if (value == null) {
      throw ConfigException.at(key, "required key is missing, expected " + rule);
    }
    if (!pattern.matcher(value).matches()) {
      throw ConfigException.at(key, Values.quote(value) + " is not valid, expected " + rule);
    }
  }

  /** A required string that must not be blank, such as a host or a model name. */
  static void notBlank(String key, String value, String expected) {
    if (value == null) {
      throw ConfigException.at(key, "required key is missing, expected " + expected);
    }
    if (value.isBlank()) {
      throw ConfigException.at(key, Values.quote(value) + " is empty, expected " + expected);
    }
  }
}
