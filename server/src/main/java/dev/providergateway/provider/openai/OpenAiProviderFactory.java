package dev.providergateway.provider.openai;

import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Creates OpenAI Chat Completions providers (type {@code openai}). A config entry gives {@code
 * base_url}, {@code api_key} and optionally {@code options.headers}; with {@code OPENAI_API_KEY}
 * set, an {@code openai} instance is registered automatically ({@code OPENAI_BASE_URL} overrides
 * its base URL).
 */
public final class OpenAiProviderFactory implements ProviderFactory {
  static final String OPENAI_BASE = "https://api.openai.com/v1";
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);

  @Override
  public String type() {
    return "openai";
  }

  @Override
  public Provider create(ProviderSettings s) {
    String base = s.baseUrl() != null ? s.baseUrl() : OPENAI_BASE;
    URI uri = URI.create(base);
    Map<String, String> headers = stringMap(s.options().get("headers"), "options.headers");
    boolean official = uri.getHost() != null && uri.getHost().endsWith("api.openai.com");
    String model = s.defaultModel() != null ? s.defaultModel() : "gpt-4o-mini";
    OpenAiSettings settings = new OpenAiSettings(uri, s.apiKey(), model, headers, official, CONNECT_TIMEOUT, REQUEST_TIMEOUT);
    List<String> models = new ArrayList<>(s.models());
    if (!models.contains(model)) {
      models.add(0, model);
    }
    return new OpenAiProvider(s.name(), type(), "OpenAI Chat Completions at " + uri.getHost(), settings, models, Clock.systemUTC());
  }

  @Override
  public List<ProviderSettings> autoConfigure(Map<String, String> env) {
    String key = env.get("OPENAI_API_KEY");
    if (key == null || key.isBlank()) {
      return List.of();
    }
    String base = env.getOrDefault("OPENAI_BASE_URL", OPENAI_BASE);
    return List.of(new ProviderSettings("openai", type(), base, key, null, List.of(), Map.of(), env));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> stringMap(Object value, String key) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map) || map.values().stream().anyMatch(v -> !(v instanceof String))) {
      throw new IllegalArgumentException(key + " must be a map of header names to string values, was " + value);
    }
    return Map.copyOf((Map<String, String>) map);
  }
}
