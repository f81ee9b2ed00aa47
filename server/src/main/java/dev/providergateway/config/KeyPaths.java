package dev.providergateway.config;

import java.util.regex.Pattern;

/** Builds the key paths used in messages, such as {@code providers[1].breaker.open_duration}. */
final class KeyPaths {

  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

  private KeyPaths() {}

  /** The path of mapping entry {@code key} below {@code parent} ({@code ""} for the root). */
  static String child(String parent, String key) {
    // Keys with dots or spaces (route names may contain '.') are quoted to keep paths unambiguous.
    String segment = PLAIN_KEY.matcher(key).matches() ? key : "[" + Values.quote(key) + "]";
    return parent.isEmpty() || segment.startsWith("[") ? parent + segment : parent + "." + segment;
  }

  /** The path of list element {@code index} below {@code parent}. */
  static String element(String parent, int index) {
    return parent + "[" + index + "]";
  }

  /** {@code relative} (itself a path) placed below {@code parent}. */
  static String join(String parent, String relative) {
    if (parent.isEmpty()) {
      return relative;
    }
    return relative.startsWith("[") ? parent + relative : parent + "." + relative;
  }
}
