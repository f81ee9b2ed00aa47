package dev.providergateway.provider.anthropic;

import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Creates Anthropic Messages providers (type {@code anthropic}). The base URL is the config
 * entry's {@code base_url}, else {@code ANTHROPIC_BASE_URL}, else {@code
 * https://api.anthropic.com}; a trailing {@code /v1} is tolerated. With {@code ANTHROPIC_API_KEY}
 * set, an {@code anthropic} instance is registered automatically.
 *
 * <p>Options: {@code anthropic_beta} (a string or a list of strings, sent as the {@code
 * anthropic-beta} header), {@code default_max_tokens} (a positive integer, default 4096: the
 * {@code max_tokens} of requests that set none) and {@code headers} (a map of extra headers).
 */
public final class AnthropicProviderFactory implements ProviderFactory {
  static final String DEFAULT_BASE = "https://api.anthropic.com";
  static final int DEFAULT_MAX_TOKENS = 4096;
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);
  private static final Set<String> OPTIONS = Set.of("anthropic_beta", "default_max_tokens", "headers");

  @Override
  public String type() {
    return "anthropic";
  }

  @Override
  public Provider create(ProviderSettings s) {
    for (String key : s.options().keySet()) {
      if (!OPTIONS.contains(key)) {
        throw new IllegalArgumentException("options." + key + " is not an anthropic option; expected one of "
            + new TreeSet<>(OPTIONS));
      }
    }
    String model = s.defaultModel() != null ? s.defaultModel() : AnthropicModels.DEFAULT_MODEL;
    AnthropicSettings settings = new AnthropicSettings(
        baseUrl(s), s.apiKey(), model, maxTokens(s.options().get("default_max_tokens")),
        beta(s.options().get("anthropic_beta")), headers(s.options().get("headers")), CONNECT_TIMEOUT, REQUEST_TIMEOUT);
    return new AnthropicProvider(s.name(), type(), settings, s.models(), Clock.systemUTC());
  }

  @Override
  public List<ProviderSettings> autoConfigure(Map<String, String> env) {
    String key = env.get("ANTHROPIC_API_KEY");
    if (key == null || key.isBlank()) {
      return List.of();
    }
    // The base URL stays unset so that create() applies ANTHROPIC_BASE_URL from the same env.
    return List.of(new ProviderSettings("anthropic", type(), null, key, null, List.of(), Map.of(), env));
  }

  private static URI baseUrl(ProviderSettings s) {
    String base = s.baseUrl();
    if (base == null || base.isBlank()) {
      base = s.env().getOrDefault("ANTHROPIC_BASE_URL", "");
    }
    if (base.isBlank()) {
      base = DEFAULT_BASE;
    }
    base = base.strip();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    // Requests add /v1/messages; a base copied from an OpenAI-style config often ends in /v1.
    if (base.endsWith("/v1")) {
      base = base.substring(0, base.length() - "/v1".length());
    }
    URI uri;
    try {
      uri = URI.create(base);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("base_url '" + base + "' is not a URL: " + e.getMessage(), e);
    }
    if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
      throw new IllegalArgumentException("base_url '" + base + "' must be an http or https URL");
    }
    return uri;
  }

  private static int maxTokens(Object value) {
    if (value == null) {
      return DEFAULT_MAX_TOKENS;
    }
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && n.longValue() >= 1 && n.longValue() <= 1_000_000) {
      return n.intValue();
    }
    throw new IllegalArgumentException("options.default_max_tokens must be a whole number from 1 to 1000000, was " + value);
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
    throw new IllegalArgumentException("options.anthropic_beta must be a string or a list of strings, was " + value);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> headers(Object value) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map) || map.values().stream().anyMatch(v -> !(v instanceof String))) {
      throw new IllegalArgumentException("options.headers must be a map of header names to string values, was " + value);
    }
    return Map.copyOf((Map<String, String>) map);
  }
}
