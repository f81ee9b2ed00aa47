package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A configuration problem: a bad file, key, value, flag or environment variable.
 *
 * <p>The message reads {@code [source: ][key.path: ]problem}, for example {@code gateway.yaml:
 * providers[1].breaker.open_duration: expected a duration like 500ms, 30s, 2m, 1h or PT30S, got
 * string "soon"}. It never contains a secret's value.
 */
public final class ConfigException extends RuntimeException {

  private final String source;
  private final String keyPath;
  private final String problem;

  /** A problem that is not tied to one key, such as an unreadable file. */
  public ConfigException(String message) {
    this(null, null, requireNonNull(message, "message"), null);
  }

  /** A problem that is not tied to one key, caused by {@code cause}. */
  public ConfigException(String message, Throwable cause) {
    this(null, null, requireNonNull(message, "message"), cause);
  }

  private ConfigException(String source, String keyPath, String problem, Throwable cause) {
    super(format(source, keyPath, problem), cause);
    this.source = source;
    this.keyPath = keyPath;
    this.problem = problem;
  }

  /** A problem with the value at {@code keyPath} (relative to whatever is being built). */
  static ConfigException at(String keyPath, String problem) {
    return new ConfigException(null, keyPath.isEmpty() ? null : keyPath, problem, null);
  }

  /** The file, {@code <inline>} or other origin of the bad value, if known. */
  public Optional<String> source() {
    return Optional.ofNullable(source);
  }

  /** The full key path of the bad value, such as {@code providers[0].api_key}, if known. */
  public Optional<String> keyPath() {
    return Optional.ofNullable(keyPath);
  }

  /** The message without source and key path. */
  public String problem() {
    return problem;
  }

  /**
   * This problem with its key path moved under {@code parentPath}: records validate their own
   * fields by key name and only the binder knows where in the file the record sits.
   */
  ConfigException under(String parentPath) {
    if (parentPath.isEmpty()) {
      return this;
    }
    String joined = keyPath == null ? parentPath : KeyPaths.join(parentPath, keyPath);
    return copy(source, joined);
  }

  /** This problem attributed to {@code newSource}, unless it already names one. */
  ConfigException from(String newSource) {
    return source != null ? this : copy(newSource, keyPath);
  }

  private ConfigException copy(String newSource, String newKeyPath) {
    ConfigException copy = new ConfigException(newSource, newKeyPath, problem, getCause());
    // Keep the original trace: it points at the check that failed, not at the re-wrapping.
    copy.setStackTrace(getStackTrace());
    return copy;
  }

  private static String format(String source, String keyPath, String problem) {
    StringBuilder message = new StringBuilder();
    if (source != null) {
      message.append(source).append(": ");
    }
    if (keyPath != null) {
      message.append(keyPath).append(": ");
    }
    return message.append(problem).toString();
  }
}
