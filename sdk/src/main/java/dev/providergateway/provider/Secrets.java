package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The process-wide registry of secret values, so that text leaving the process (error messages,
 * status details, log lines and logged stack traces) can be redacted by value, whatever the shape
 * of the secret: a key format the gateway has never heard of is redacted as surely as an {@code
 * sk-} key. The gateway registers what it loads from its config (every provider's API key and
 * header values, API keys taken from the environment) for as long as that config is served, and
 * each caller key once it has been presented and accepted.
 *
 * <p>Values shorter than {@value #MIN_LENGTH} characters are not registered: no credential scheme
 * is that short, and redacting, say, {@code "1"} or {@code "true"} would garble every message.
 *
 * <p>Thread-safe. {@link #redact} reads one volatile array and takes no lock.
 */
public final class Secrets {
  /** The shortest value that is registered as a secret. */
  public static final int MIN_LENGTH = 8;

  /** What a redacted value is replaced with. */
  public static final String REDACTED = "[redacted]";

  private static final Object LOCK = new Object();
  private static final Map<Object, Set<String>> BY_OWNER = new HashMap<>();
  // Longest first, so that a secret containing another is replaced whole.
  private static volatile String[] values = new String[0];

  private Secrets() {}

  /**
   * Sets the secrets of {@code owner} (an object identifying who holds them, such as one config
   * generation), replacing those it registered before; blank and short values are skipped.
   */
  public static void register(Object owner, Collection<String> secrets) {
    requireNonNull(owner, "owner");
    Set<String> kept = new LinkedHashSet<>();
    for (String s : secrets) {
      if (s != null && s.strip().length() >= MIN_LENGTH) {
        kept.add(s);
        if (!s.strip().equals(s)) {
          kept.add(s.strip());
        }
      }
    }
    synchronized (LOCK) {
      if (kept.isEmpty()) {
        BY_OWNER.remove(owner);
      } else {
        BY_OWNER.put(owner, kept);
      }
      rebuild();
    }
  }

  /** Adds one secret to those of {@code owner}. */
  public static void add(Object owner, String secret) {
    requireNonNull(owner, "owner");
    if (secret == null || secret.strip().length() < MIN_LENGTH) {
      return;
    }
    synchronized (LOCK) {
      if (BY_OWNER.computeIfAbsent(owner, o -> new LinkedHashSet<>()).add(secret)) {
        rebuild();
      }
    }
  }

  /** Forgets the secrets of {@code owner}. */
  public static void unregister(Object owner) {
    synchronized (LOCK) {
      if (BY_OWNER.remove(owner) != null) {
        rebuild();
      }
    }
  }

  /** Whether {@code text} contains a registered secret. */
  public static boolean containsAny(String text) {
    if (text == null) {
      return false;
    }
    for (String v : values) {
      if (text.contains(v)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code text} with every registered secret replaced by {@value #REDACTED}; null stays null.
   *
   * <p>One {@link String#indexOf} scan per secret: a gateway holds a handful to a few dozen secrets
   * and redacts short texts (messages are capped, log lines are short), so k scans of a few hundred
   * characters cost less than building and walking an Aho-Corasick automaton, and need no code of
   * our own that could get the matching wrong.
   */
  public static String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String result = text;
    for (String v : values) {
      if (result.contains(v)) {
        result = result.replace(v, REDACTED);
      }
    }
    return result;
  }

  private static void rebuild() {
    values =
        BY_OWNER.values().stream()
            .flatMap(Set::stream)
            .distinct()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toArray(String[]::new);
  }
}
