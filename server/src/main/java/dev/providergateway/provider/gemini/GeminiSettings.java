package dev.providergateway.provider.gemini;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * What a Gemini provider instance needs beyond its {@link
 * dev.providergateway.provider.http.ProviderOptions}, validated by its factory.
 *
 * @param baseUrl the API host (and optional path prefix), e.g. {@code
 *     https://generativelanguage.googleapis.com}; requests go to {@code
 *     {baseUrl}/{apiVersion}/models/{model}:generateContent}
 * @param apiVersion the API version path segment, {@code v1beta} unless configured
 * @param includeThoughts ask thinking models for thought summaries ({@code includeThoughts})
 * @param responseJsonSchema send a {@code json_schema} response format untranslated as {@code
 *     responseJsonSchema} instead of converting it to {@code responseSchema}
 */
record GeminiSettings(
    URI baseUrl, String apiVersion, boolean includeThoughts, boolean responseJsonSchema) {

  GeminiSettings {
    requireNonNull(baseUrl, "baseUrl");
    requireNonNull(apiVersion, "apiVersion");
  }
}
