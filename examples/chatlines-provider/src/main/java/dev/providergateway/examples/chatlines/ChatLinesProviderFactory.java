package dev.providergateway.examples.chatlines;

import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.http.ProviderOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Creates chat-lines providers (type {@code chatlines}). Listed in {@code
 * META-INF/services/dev.providergateway.provider.ProviderFactory}, so the gateway finds it in a jar
 * dropped into its plugins directory.
 *
 * <p>The service is the entry's {@code base_url}, else {@code CHATLINES_BASE_URL}, else {@code
 * http://127.0.0.1:7070}; the key is {@code api_key}, else {@code CHATLINES_API_KEY}. One option:
 * {@code headers} (extra request headers), which every HTTP provider takes. An instance named
 * {@code chatlines} registers itself when {@code CHATLINES_API_KEY} is set.
 */
public final class ChatLinesProviderFactory implements ProviderFactory {
  static final String TYPE = "chatlines";
  static final String BASE_URL_ENV = "CHATLINES_BASE_URL";
  static final String API_KEY_ENV = "CHATLINES_API_KEY";
  static final String DEFAULT_BASE_URL = "http://127.0.0.1:7070";
  // Shorter than the SDK's default, which allows for large models loading cold; it also shows
  // where a provider sets its own wait.
  static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Provider create(ProviderSettings s) {
    ProviderOptions options = ProviderOptions.of(s).withRequestTimeout(REQUEST_TIMEOUT);
    String model = options.defaultModel(ChatLinesModels.DEFAULT_MODEL);
    String key = options.apiKey() != null ? options.apiKey() : s.env().get(API_KEY_ENV);
    ChatLinesSettings settings =
        new ChatLinesSettings(
            options.baseUrl(BASE_URL_ENV, DEFAULT_BASE_URL),
            key,
            model,
            ChatLinesModels.listed(model, s.models()));
    return new ChatLinesProvider(options, settings);
  }

  @Override
  public List<ProviderSettings> autoConfigure(Map<String, String> env) {
    String key = env.get(API_KEY_ENV);
    if (key == null || key.isBlank()) {
      return List.of();
    }
    return List.of(ProviderSettings.of(TYPE, TYPE, env));
  }
}
