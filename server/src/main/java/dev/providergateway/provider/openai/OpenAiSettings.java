package dev.providergateway.provider.openai;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The configuration of one OpenAI-compatible provider instance, validated by its factory.
 *
 * @param baseUrl the API base, e.g. {@code https://api.openai.com/v1}; requests go to {@code
 *     {baseUrl}/chat/completions}, or for Azure to {@code
 *     {baseUrl}/openai/deployments/{model}/chat/completions?api-version=...}
 * @param apiKey the credential, or null for local servers that need none; never log it
 * @param defaultModel the model for requests that name none (for Azure, a deployment name)
 * @param headers extra headers sent with every request (values may be secrets: never log them)
 * @param officialOpenAi true for OpenAI and Azure OpenAI, whose models have the strictest
 *     parameter rules and the newest parameter names
 * @param azureApiVersion the Azure {@code api-version}, or null when this is not Azure
 * @param streamUsage whether streams ask for usage with {@code stream_options.include_usage}
 * @param connectTimeout the TCP/TLS connect timeout
 * @param requestTimeout the longest wait for response headers when the caller set no deadline
 */
record OpenAiSettings(
    URI baseUrl,
    String apiKey,
    String defaultModel,
    Map<String, String> headers,
    boolean officialOpenAi,
    String azureApiVersion,
    boolean streamUsage,
    Duration connectTimeout,
    Duration requestTimeout) {

  OpenAiSettings {
    requireNonNull(baseUrl, "baseUrl");
    requireNonNull(defaultModel, "defaultModel");
    headers = Map.copyOf(headers);
    requireNonNull(connectTimeout, "connectTimeout");
    requireNonNull(requestTimeout, "requestTimeout");
  }

  boolean azure() {
    return azureApiVersion != null;
  }

  /** Hides the credential and the header values. */
  @Override
  public String toString() {
    return "OpenAiSettings[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "***")
        + ", defaultModel=" + defaultModel + ", headers=" + headers.keySet() + ", officialOpenAi=" + officialOpenAi
        + ", azureApiVersion=" + azureApiVersion + ", streamUsage=" + streamUsage + "]";
  }
}
