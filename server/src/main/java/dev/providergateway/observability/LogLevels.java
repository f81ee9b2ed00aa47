package dev.providergateway.observability;

import dev.providergateway.config.LoggingConfig;
import java.util.logging.Level;

/** The mapping between the config's level names and {@code java.util.logging}'s. */
final class LogLevels {
  private LogLevels() {}

  static Level of(LoggingConfig.Level level) {
    return switch (level) {
      case ERROR -> Level.SEVERE;
      case WARN -> Level.WARNING;
      case INFO -> Level.INFO;
      case DEBUG -> Level.FINE;
    };
  }

  static String name(Level level) {
    int v = level.intValue();
    if (v >= Level.SEVERE.intValue()) {
      return "ERROR";
    }
    if (v >= Level.WARNING.intValue()) {
      return "WARN";
    }
    if (v >= Level.INFO.intValue()) {
      return "INFO";
    }
    return v >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
  }
}
