package dev.providergateway.provider.ollama;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The configuration of one Ollama provider instance.
 *
 * @param baseUrl the server, e.g. {@code http://127.0.0.1:11434}; requests go to {@code
 *     {baseUrl}/api/chat}
 * @param apiKey a bearer token (Ollama's cloud API, or a proxy in front of a server), or null
 * @param defaultModel the model for requests that name none
 * @param headers extra headers sent with every request
 * @param keepAlive the default {@code keep_alive} (a duration string such as {@code "10m"} or a
 *     number of seconds), or null for the server's default
 * @param modelOptions default Ollama {@code options} for every request (for example {@code
 *     num_ctx}); values set by the request win
 * @param connectTimeout the TCP/TLS connect timeout
 * @param requestTimeout the longest wait for response headers when the caller set no deadline
 */
record OllamaSettings(
    URI baseUrl,
    String apiKey,
    String defaultModel,
    Map<String, String> headers,
    Object keepAlive,
    Map<String, Object> modelOptions,
    Duration connectTimeout,
    Duration requestTimeout) {

  OllamaSettings {
    requireNonNull(baseUrl, "baseUrl");
    requireNonNull(defaultModel, "defaultModel");
    headers = Map.copyOf(headers);
    modelOptions = Map.copyOf(modelOptions);
    requireNonNull(connectTimeout, "connectTimeout");
    requireNonNull(requestTimeout, "requestTimeout");
  }

  /** Hides the credential. */
  @Override
  public String toString() {
    return "OllamaSettings[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "***")
        + ", defaultModel=" + defaultModel + ", headers=" + headers.keySet() + ", keepAlive=" + keepAlive
        + ", modelOptions=" + modelOptions.keySet() + "]";
  }
}
