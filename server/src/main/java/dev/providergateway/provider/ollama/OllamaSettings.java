package dev.providergateway.provider.ollama;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Map;

/**
 * What an Ollama provider instance needs beyond its {@link
 * dev.providergateway.provider.http.ProviderOptions}, validated by its factory.
 *
 * @param baseUrl the server, e.g. {@code http://127.0.0.1:11434}; requests go to {@code
 *     {baseUrl}/api/chat}
 * @param keepAlive the default {@code keep_alive} (a duration string such as {@code "10m"} or a
 *     number of seconds), or null for the server's default
 * @param modelOptions default Ollama {@code options} for every request (for example {@code
 *     num_ctx}); values set by the request win
 */
record OllamaSettings(URI baseUrl, Object keepAlive, Map<String, Object> modelOptions) {

  OllamaSettings {
    requireNonNull(baseUrl, "baseUrl");
    modelOptions = Map.copyOf(modelOptions);
  }
}
