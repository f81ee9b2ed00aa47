package dev.providergateway.auth;

import dev.providergateway.config.ApiKeyConfig;
import dev.providergateway.config.AuthConfig;
import dev.providergateway.provider.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Checks presented API keys against the configured SHA-256 hashes. The presented key is hashed and
 * compared with every configured hash in constant time ({@link MessageDigest#isEqual}), all of them
 * every time, so neither the match position nor a common prefix shows in the timing. Immutable and
 * thread-safe.
 */
public final class ApiKeyAuthenticator {
  private final List<Entry> entries;

  /**
   * The owner of the caller keys in {@link Secrets}: keys are registered as they are accepted (the
   * config holds only their hashes), once per key, and stay registered across reloads.
   */
  private static final Object CALLER_KEYS = new Object();

  private record Entry(byte[] hash, Caller caller, ApiKeyConfig config, AtomicBoolean known) {}

  private ApiKeyAuthenticator(List<Entry> entries) {
    this.entries = entries;
  }

  /** An authenticator for {@code config}'s keys. */
  public static ApiKeyAuthenticator of(AuthConfig config) {
    HexFormat hex = HexFormat.of();
    return new ApiKeyAuthenticator(
        config.keys().stream()
            .map(k -> new Entry(hex.parseHex(k.keySha256()), caller(k), k, new AtomicBoolean()))
            .toList());
  }

  /** The caller whose key is {@code presented}, if any. */
  public Optional<Caller> authenticate(String presented) {
    byte[] hash = sha256(presented);
    Entry found = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(e.hash, hash) && found == null) {
        found = e;
      }
    }
    if (found == null) {
      return Optional.empty();
    }
    if (found.known.compareAndSet(false, true)) {
      Secrets.add(CALLER_KEYS, presented);
    }
    return Optional.of(found.caller);
  }

  /** The configured keys, in file order. */
  List<ApiKeyConfig> keys() {
    return entries.stream().map(Entry::config).toList();
  }

  /**
   * The lowercase hex SHA-256 of {@code key}'s UTF-8 bytes, as {@code auth.keys[].key_sha256} holds
   * it.
   */
  public static String sha256Hex(String key) {
    return HexFormat.of().formatHex(sha256(key));
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static Caller caller(ApiKeyConfig key) {
    return new Caller(
        key.id(),
        java.util.Set.copyOf(key.providers()),
        key.models().stream().map(Caller::glob).toList());
  }
}
