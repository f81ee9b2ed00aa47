package dev.providergateway.provider.anthropic;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The configuration of one Anthropic Messages provider instance.
 *
 * @param baseUrl the API root without a version, e.g. {@code https://api.anthropic.com}; requests
 *     go to {@code {baseUrl}/v1/messages}
 * @param apiKey the credential sent as {@code x-api-key}, or null when none is configured
 * @param defaultModel the model for requests that name none
 * @param defaultMaxTokens the {@code max_tokens} sent when a request sets none (Anthropic
 *     requires the field)
 * @param beta the {@code anthropic-beta} header value, "" for none
 * @param headers extra headers sent with every request
 * @param connectTimeout the TCP/TLS connect timeout
 * @param requestTimeout the longest wait for response headers when the caller set no deadline
 */
record AnthropicSettings(
    URI baseUrl,
    String apiKey,
    String defaultModel,
    int defaultMaxTokens,
    String beta,
    Map<String, String> headers,
    Duration connectTimeout,
    Duration requestTimeout) {

  AnthropicSettings {
    requireNonNull(baseUrl, "baseUrl");
    requireNonNull(defaultModel, "defaultModel");
    if (defaultMaxTokens < 1) {
      throw new IllegalArgumentException("defaultMaxTokens must be >= 1, was " + defaultMaxTokens);
    }
    requireNonNull(beta, "beta");
    headers = Map.copyOf(headers);
    requireNonNull(connectTimeout, "connectTimeout");
    requireNonNull(requestTimeout, "requestTimeout");
  }

  /** Hides the credential. */
  @Override
  public String toString() {
    return "AnthropicSettings[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "***")
        + ", defaultModel=" + defaultModel + ", defaultMaxTokens=" + defaultMaxTokens + ", beta=" + beta
        + ", headers=" + headers.keySet() + "]";
  }
}
