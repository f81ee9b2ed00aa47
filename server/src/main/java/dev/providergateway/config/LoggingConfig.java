package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

/**
 * The {@code logging} section.
 *
 * @param format {@code text} (one line per record, for people) or {@code json} (one JSON object per
 *     line, for log pipelines)
 * @param level the least severe level written: {@code error}, {@code warn}, {@code info} or {@code
 *     debug}
 * @param accessLog whether one line is written per call (provider, model, status, tokens, timings)
 */
public record LoggingConfig(Format format, Level level, boolean accessLog) {

  /** The log line format. */
  public enum Format {
    TEXT,
    JSON
  }

  /** Log levels, least to most verbose. */
  public enum Level {
    ERROR,
    WARN,
    INFO,
    DEBUG
  }

  public LoggingConfig {
    requireNonNull(format, "format");
    requireNonNull(level, "level");
  }

  /** Text, info, access log on. */
  public static LoggingConfig defaults() {
    return new LoggingConfig(Format.TEXT, Level.INFO, true);
  }
}
