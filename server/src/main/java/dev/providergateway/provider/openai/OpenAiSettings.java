package dev.providergateway.provider.openai;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The configuration of one OpenAI-compatible provider instance.
 *
 * @param baseUrl the API base, e.g. {@code https://api.openai.com/v1}; requests go to {@code
 *     {baseUrl}/chat/completions}
 * @param apiKey the credential, or null for local servers that need none
 * @param defaultModel the model for requests that name none
 * @param headers extra headers sent with every request
 * @param officialOpenAi true for api.openai.com, whose models have the strictest parameter rules
 * @param connectTimeout the TCP/TLS connect timeout
 * @param requestTimeout the longest wait for response headers when the caller set no deadline
 */
record OpenAiSettings(
    URI baseUrl,
    String apiKey,
    String defaultModel,
    Map<String, String> headers,
    boolean officialOpenAi,
    Duration connectTimeout,
    Duration requestTimeout) {

  OpenAiSettings {
    requireNonNull(baseUrl, "baseUrl");
    requireNonNull(defaultModel, "defaultModel");
    headers = Map.copyOf(headers);
    requireNonNull(connectTimeout, "connectTimeout");
    requireNonNull(requestTimeout, "requestTimeout");
  }

  /** Hides the credential. */
  @Override
  public String toString() {
    return "OpenAiSettings[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "***")
        + ", defaultModel=" + defaultModel + ", headers=" + headers.keySet() + "]";
  }
}
