package dev.providergateway.provider.ollama;

import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.http.ProviderOptions;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Creates Ollama native providers (type {@code ollama}). The server is the entry's {@code
 * base_url}, else {@code OLLAMA_HOST} (in any form Ollama's own clients accept, see {@link
 * OllamaHost}), else {@code http://127.0.0.1:11434}. {@code api_key}, when set, is sent as a bearer
 * token (Ollama's cloud API, or an authenticating proxy). Options: {@code headers} (extra request
 * headers), {@code keep_alive} (the default for every request) and {@code model_options} (default
 * Ollama {@code options}, such as {@code num_ctx}).
 *
 * <p>An {@code ollama} instance is registered automatically only when {@code OLLAMA_HOST} is set: a
 * gateway must not assume that a local server exists.
 */
public final class OllamaProviderFactory implements ProviderFactory {
  private static final String KEEP_ALIVE = "keep_alive";
  private static final String MODEL_OPTIONS = "model_options";

  @Override
  public String type() {
    return "ollama";
  }

  @Override
  public Provider create(ProviderSettings s) {
    ProviderOptions options = ProviderOptions.of(s, KEEP_ALIVE, MODEL_OPTIONS);
    URI base = baseUrl(options);
    String model = options.defaultModel(OllamaModels.DEFAULT_MODEL);
    OllamaSettings settings =
        new OllamaSettings(
            base,
            keepAlive(options.option(KEEP_ALIVE)),
            options.map(MODEL_OPTIONS, "{num_ctx: 8192}"));
    ProviderDescriptor descriptor = OllamaModels.descriptor(type(), base, model, s.models());
    return new OllamaProvider(options, settings, descriptor);
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

  /**
   * The configured base URL, else OLLAMA_HOST in any of its short forms, else the local default.
   */
  static URI baseUrl(ProviderOptions options) {
    return options.baseUrl(
        "OLLAMA_HOST", host -> OllamaHost.parse(host).toString(), OllamaHost.DEFAULT.toString());
  }

  private static Object keepAlive(Object value) {
    if (value == null || value instanceof String || value instanceof Number) {
      return value;
    }
    throw new IllegalArgumentException(
        "options."
            + KEEP_ALIVE
            + ": expected a duration such as \"10m\" or a number of"
            + " seconds, was "
            + value);
  }
}
