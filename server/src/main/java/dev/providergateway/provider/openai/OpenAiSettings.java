package dev.providergateway.provider.openai;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * What an OpenAI-compatible provider instance needs beyond its {@link
 * dev.providergateway.provider.http.ProviderOptions}, validated by its factory.
 *
 * @param baseUrl the API base, e.g. {@code https://api.openai.com/v1}; requests go to {@code
 *     {baseUrl}/chat/completions}, or for Azure to {@code
 *     {baseUrl}/openai/deployments/{model}/chat/completions?api-version=...}
 * @param officialOpenAi true for OpenAI and Azure OpenAI, whose models have the strictest parameter
 *     rules and the newest parameter names
 * @param azureApiVersion the Azure {@code api-version}, or null when this is not Azure
 * @param streamUsage whether streams ask for usage with {@code stream_options.include_usage}
 */
record OpenAiSettings(
    URI baseUrl, boolean officialOpenAi, String azureApiVersion, boolean streamUsage) {

  OpenAiSettings {
    requireNonNull(baseUrl, "baseUrl");
  }

  boolean azure() {
    return azureApiVersion != null;
  }
}
