package dev.providergateway.provider.ollama;

import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creates Ollama native providers (type {@code ollama}). The server is the entry's {@code
 * base_url}, else {@code OLLAMA_HOST} (in any form Ollama's own clients accept, see {@link
 * OllamaHost}), else {@code http://127.0.0.1:11434}. {@code api_key}, when set, is sent as a bearer
 * token (Ollama's cloud API, or an authenticating proxy). Options: {@code headers} (extra request
 * headers), {@code keep_alive} (the default for every request) and {@code model_options} (default
 * Ollama {@code options}, such as {@code num_ctx}).
 *
 * <p>An {@code ollama} instance is registered automatically only when {@code OLLAMA_HOST} is set:
 * a gateway must not assume that a local server exists.
 */
public final class OllamaProviderFactory implements ProviderFactory {
  static final String DEFAULT_MODEL = "llama3.2";
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  // Generous: a cold model loads before the first byte, and a non-streamed answer arrives whole.
  static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);
  private static final Set<String> OPTIONS = Set.of("headers", "keep_alive", "model_options");

  @Override
  public String type() {
    return "ollama";
  }

  @Override
  public Provider create(ProviderSettings s) {
    for (String key : s.options().keySet()) {
      if (!OPTIONS.contains(key)) {
        throw new IllegalArgumentException("options." + key + " is not an ollama option; expected one of "
            + String.join(", ", OPTIONS.stream().sorted().toList()));
      }
    }
    String model = s.defaultModel() != null ? s.defaultModel() : DEFAULT_MODEL;
    OllamaSettings settings = new OllamaSettings(
        baseUrl(s), s.apiKey(), model,
        stringMap(s.options().get("headers"), "options.headers"),
        keepAlive(s.options().get("keep_alive")),
        objectMap(s.options().get("model_options"), "options.model_options"),
        CONNECT_TIMEOUT, REQUEST_TIMEOUT);
    List<String> models = new ArrayList<>(s.models());
    if (!models.contains(model)) {
      models.add(0, model);
    }
    return new OllamaProvider(s.name(), type(), settings, models, Clock.systemUTC());
  }

  @Override
  public List<ProviderSettings> autoConfigure(Map<String, String> env) {
    String host = env.get("OLLAMA_HOST");
    if (host == null || host.isBlank()) {
      return List.of();
    }
    // No base URL: create() reads OLLAMA_HOST from the settings' environment.
    return List.of(ProviderSettings.of("ollama", type(), env));
  }

  /** The configured base URL, else OLLAMA_HOST, else the local default. */
  static URI baseUrl(ProviderSettings s) {
    if (s.baseUrl() != null) {
      return URI.create(s.baseUrl().replaceAll("/+$", ""));
    }
    return OllamaHost.parse(s.env().get("OLLAMA_HOST"));
  }

  private static Object keepAlive(Object value) {
    if (value == null || value instanceof String || value instanceof Number) {
      return value;
    }
    throw new IllegalArgumentException("options.keep_alive must be a duration such as \"10m\" or a number of seconds, was " + value);
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

  @SuppressWarnings("unchecked")
  private static Map<String, Object> objectMap(Object value, String key) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map) || map.values().stream().anyMatch(v -> v == null)) {
      throw new IllegalArgumentException(key + " must be a map of Ollama option names to values (such as {num_ctx: 8192}), was " + value);
    }
    return Map.copyOf((Map<String, Object>) map);
  }
}
