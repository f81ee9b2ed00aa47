package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

/**
 * A credential, such as a provider API key. Its value is only available through {@link #reveal()}
 * so that logging a config, or a record that holds one, cannot leak it.
 */
public final class Secret {

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /** Wraps {@code value}. */
  public static Secret of(String value) {
    return new Secret(requireNonNull(value, "value"));
  }

  /** The credential itself: pass it straight to the code that needs it and nowhere else. */
  public String reveal() {
    return value;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Secret secret && secret.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "Secret[***]";
  }
}
