package dev.providergateway.provider.anthropic;

import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.http.ProviderOptions;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Creates Anthropic Messages providers (type {@code anthropic}). The base URL is the config entry's
 * {@code base_url}, else {@code ANTHROPIC_BASE_URL}, else {@code https://api.anthropic.com}; a
 * trailing {@code /v1} is tolerated. With {@code ANTHROPIC_API_KEY} set, an {@code anthropic}
 * instance is registered automatically.
 *
 * <p>Options: {@code anthropic_beta} (a string or a list of strings, sent as the {@code
 * anthropic-beta} header), {@code default_max_tokens} (a positive integer, default 4096: the {@code
 * max_tokens} of requests that set none) and {@code headers} (a map of extra headers).
 */
public final class AnthropicProviderFactory implements ProviderFactory {
  static final String DEFAULT_BASE = "https://api.anthropic.com";
  static final int DEFAULT_MAX_TOKENS = 4096;
  private static final String BETA = "anthropic_beta";
  private static final String MAX_TOKENS = "default_max_tokens";

  @Override
  public String type() {
    return "anthropic";
  }

  @Override
  public Provider create(ProviderSettings s) {
    ProviderOptions options = ProviderOptions.of(s, BETA, MAX_TOKENS);
    URI base = withoutVersion(options.baseUrl("ANTHROPIC_BASE_URL", DEFAULT_BASE));
    String model = options.defaultModel(AnthropicModels.DEFAULT_MODEL);
    AnthropicSettings settings =
        new AnthropicSettings(
            base,
            options.integer(MAX_TOKENS, 1, 1_000_000, DEFAULT_MAX_TOKENS),
            beta(options.option(BETA)));
    ProviderDescriptor descriptor = AnthropicModels.descriptor(type(), base, model, s.models());
    return new AnthropicProvider(options, settings, descriptor);
  }

  @Override
  public List<ProviderSettings> autoConfigure(Map<String, String> env) {
    String key = env.get("ANTHROPIC_API_KEY");
    if (key == null || key.isBlank()) {
      return List.of();
    }
    // The base URL stays unset so that create() applies ANTHROPIC_BASE_URL from the same env.
    return List.of(ProviderSettings.builder("anthropic", type()).apiKey(key).env(env).build());
  }

  /** Requests add /v1/messages; a base copied from an OpenAI-style config often ends in /v1. */
  private static URI withoutVersion(URI base) {
    String text = base.toString();
    return text.endsWith("/v1")
        ? URI.create(text.substring(0, text.length() - "/v1".length()))
        : base;
  }

  private static String beta(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof String text) {
      return text.strip();
    }
    if (value instanceof List<?> list && list.stream().allMatch(v -> v instanceof String)) {
      return String.join(",", list.stream().map(v -> ((String) v).strip()).toList());
    }
    throw new IllegalArgumentException(
        "options." + BETA + ": expected a string or a list of strings, was " + value);
  }
}
