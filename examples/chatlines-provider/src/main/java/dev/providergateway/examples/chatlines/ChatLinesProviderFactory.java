package dev.providergateway.examples.chatlines;

import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creates chat-lines providers (type {@code chatlines}). Listed in {@code
 * META-INF/services/dev.providergateway.provider.ProviderFactory}, so the gateway finds it in a
 * jar dropped into its plugins directory.
 *
 * <p>The service is the entry's {@code base_url}, else {@code CHATLINES_BASE_URL}, else {@code
 * http://127.0.0.1:7070}; the key is {@code api_key}, else {@code CHATLINES_API_KEY}. One option:
 * {@code headers} (extra request headers). An instance named {@code chatlines} registers itself
 * when {@code CHATLINES_API_KEY} is set.
 */
public final class ChatLinesProviderFactory implements ProviderFactory {
  static final String TYPE = "chatlines";
  static final String DEFAULT_MODEL = "lines-1";
  static final List<String> MODELS = List.of("lines-1", "lines-mini");
  static final URI DEFAULT_BASE_URL = URI.create("http://127.0.0.1:7070");
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);
  private static final Set<String> OPTIONS = Set.of("headers");

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Provider create(ProviderSettings s) {
    for (String key : s.options().keySet()) {
      if (!OPTIONS.contains(key)) {
        throw new IllegalArgumentException("options." + key + " is not a chatlines option; expected one of " + OPTIONS);
      }
    }
    String model = s.defaultModel() != null ? s.defaultModel() : DEFAULT_MODEL;
    String key = s.apiKey() != null ? s.apiKey() : s.env().get("CHATLINES_API_KEY");
    ChatLinesSettings settings = new ChatLinesSettings(
        baseUrl(s), key, model, headers(s.options().get("headers")), CONNECT_TIMEOUT, REQUEST_TIMEOUT);
    List<String> models = new ArrayList<>(MODELS);
    for (String m : s.models()) {
      if (!models.contains(m)) {
        models.add(m);
      }
    }
    if (!models.contains(model)) {
      models.add(0, model);
    }
    return new ChatLinesProvider(s.name(), settings, models, Clock.systemUTC());
  }

  @Override
  public List<ProviderSettings> autoConfigure(Map<String, String> env) {
    String key = env.get("CHATLINES_API_KEY");
    if (key == null || key.isBlank()) {
      return List.of();
    }
    return List.of(ProviderSettings.of(TYPE, TYPE, env));
  }

  static URI baseUrl(ProviderSettings s) {
    String value = s.baseUrl() != null ? s.baseUrl() : s.env().get("CHATLINES_BASE_URL");
    if (value == null || value.isBlank()) {
      return DEFAULT_BASE_URL;
    }
    String expected = "base_url '" + value + "' is not an absolute http or https URL such as " + DEFAULT_BASE_URL;
    try {
      URI uri = new URI(value.strip().replaceAll("/+$", ""));
      if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new IllegalArgumentException(expected);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(expected, e);
    }
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
