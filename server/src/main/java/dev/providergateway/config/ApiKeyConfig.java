package dev.providergateway.config;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One caller API key under {@code auth.keys}.
 *
 * @param id the key's public name, shown in logs and metrics instead of the key; matches {@code
 *     ^[a-z][a-z0-9_-]{0,62}$}
 * @param keySha256 the SHA-256 of the key's UTF-8 bytes, 64 hex digits (stored lowercase); keys are
 *     long random tokens, so a fast hash is enough (as for GitHub's or Stripe's tokens)
 * @param providers registry names this key may use; empty means all
 * @param models model ids this key may use, with {@code *} matching any characters; empty means all
 * @param requestsPerMinute requests (Converse: turns) allowed per minute, 0 = unlimited
 * @param tokensPerMinute prompt plus completion tokens per minute, 0 = unlimited; a request is
 *     admitted while the key's budget is above zero and its usage is charged when it ends
 * @param admin whether the key may call {@code AdminService} (usage of every key)
 * @param budget what the key may spend per calendar period; null for no budget
 */
public record ApiKeyConfig(
    String id,
    String keySha256,
    List<String> providers,
    List<String> models,
    int requestsPerMinute,
    int tokensPerMinute,
    boolean admin,
    BudgetConfig budget) {

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public ApiKeyConfig {
    Checks.providerName("id", id);
    if (keySha256 == null) {
      throw ConfigException.at(
          "key_sha256",
          "required key is missing, expected the 64 hex digits"
              + " of the key's SHA-256 (printf %s \"$KEY\" | sha256sum)");
    }
    keySha256 = keySha256.strip().toLowerCase(Locale.ROOT);
    if (keySha256.startsWith("sha256:")) {
      keySha256 = keySha256.substring("sha256:".length());
    }
    if (!SHA256.matcher(keySha256).matches()) {
      // Not quoted: a raw key pasted here by mistake must not reach a log.
      throw ConfigException.at(
          "key_sha256",
          "not a SHA-256 (value not shown), expected 64 hex"
              + " digits (printf %s \"$KEY\" | sha256sum), not the key itself");
    }
    providers = List.copyOf(providers);
    for (int i = 0; i < providers.size(); i++) {
      Checks.providerName(KeyPaths.element("providers", i), providers.get(i));
    }
    models = List.copyOf(models);
    for (int i = 0; i < models.size(); i++) {
      Checks.notBlank(
          KeyPaths.element("models", i), models.get(i), "a model id or pattern such as gpt-4o*");
    }
    Checks.range("requests_per_minute", requestsPerMinute, 0, 100_000_000);
    Checks.range("tokens_per_minute", tokensPerMinute, 0, Integer.MAX_VALUE);
  }

  /** A key that is not an admin and has no budget. */
  public ApiKeyConfig(
      String id,
      String keySha256,
      List<String> providers,
      List<String> models,
      int requestsPerMinute,
      int tokensPerMinute) {
    this(id, keySha256, providers, models, requestsPerMinute, tokensPerMinute, false, null);
  }

  /** A key with no allowlists or limits. */
  public static ApiKeyConfig of(String id, String keySha256) {
    return new ApiKeyConfig(id, keySha256, List.of(), List.of(), 0, 0);
  }
}
