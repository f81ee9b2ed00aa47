package dev.providergateway.provider.gemini;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The configuration of one Gemini provider instance.
 *
 * @param baseUrl the API host (and optional path prefix), e.g. {@code
 *     https://generativelanguage.googleapis.com}; requests go to {@code
 *     {baseUrl}/{apiVersion}/models/{model}:generateContent}
 * @param apiVersion the API version path segment, {@code v1beta} unless configured
 * @param apiKey the credential sent as {@code x-goog-api-key}, or null (for a proxy that adds it)
 * @param defaultModel the model for requests that name none
 * @param headers extra headers sent with every request
 * @param includeThoughts ask thinking models for thought summaries ({@code includeThoughts})
 * @param responseJsonSchema send a {@code json_schema} response format untranslated as {@code
 *     responseJsonSchema} instead of converting it to {@code responseSchema}
 * @param connectTimeout the TCP/TLS connect timeout
 * @param requestTimeout the longest wait for response headers when the caller set no deadline
 */
record GeminiSettings(
    URI baseUrl,
    String apiVersion,
    String apiKey,
    String defaultModel,
    Map<String, String> headers,
    boolean includeThoughts,
    boolean responseJsonSchema,
    Duration connectTimeout,
    Duration requestTimeout) {

  GeminiSettings {
    requireNonNull(baseUrl, "baseUrl");
    requireNonNull(apiVersion, "apiVersion");
    requireNonNull(defaultModel, "defaultModel");
    headers = Map.copyOf(headers);
    requireNonNull(connectTimeout, "connectTimeout");
    requireNonNull(requestTimeout, "requestTimeout");
  }

  /** Hides the credential. */
  @Override
  public String toString() {
    return "GeminiSettings[baseUrl=" + baseUrl + ", apiVersion=" + apiVersion
        + ", apiKey=" + (apiKey == null ? "none" : "***") + ", defaultModel=" + defaultModel
        + ", headers=" + headers.keySet() + ", includeThoughts=" + includeThoughts
        + ", responseJsonSchema=" + responseJsonSchema + "]";
  }
}
