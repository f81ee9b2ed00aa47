package dev.providergateway.examples.chatlines;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The configuration of one chat-lines provider instance, validated by {@link
 * ChatLinesProviderFactory}.
 *
 * @param baseUrl the service, e.g. {@code http://127.0.0.1:7070}; requests go to {@code
 *     {baseUrl}/v1/generate}
 * @param apiKey sent as {@code X-Lines-Key}, or null when the service needs none
 * @param defaultModel the model for requests that name none
 * @param headers extra headers sent with every request
 * @param connectTimeout the TCP/TLS connect timeout
 * @param requestTimeout the longest wait for response headers when the caller set no deadline
 */
record ChatLinesSettings(
    URI baseUrl,
    String apiKey,
    String defaultModel,
    Map<String, String> headers,
    Duration connectTimeout,
    Duration requestTimeout) {

  ChatLinesSettings {
    requireNonNull(baseUrl, "baseUrl");
    requireNonNull(defaultModel, "defaultModel");
    headers = Map.copyOf(headers);
    requireNonNull(connectTimeout, "connectTimeout");
    requireNonNull(requestTimeout, "requestTimeout");
  }

  /** Hides the credential. */
  @Override
  public String toString() {
    return "ChatLinesSettings[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "***")
        + ", defaultModel=" + defaultModel + ", headers=" + headers.keySet() + "]";
  }
}
