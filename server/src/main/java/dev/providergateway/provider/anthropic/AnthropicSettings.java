package dev.providergateway.provider.anthropic;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * What an Anthropic Messages provider instance needs beyond its {@link
 * dev.providergateway.provider.http.ProviderOptions}, validated by its factory.
 *
 * @param baseUrl the API root without a version, e.g. {@code https://api.anthropic.com}; requests
 *     go to {@code {baseUrl}/v1/messages}
 * @param defaultMaxTokens the {@code max_tokens} sent when a request sets none (Anthropic requires
 *     the field)
 * @param beta the {@code anthropic-beta} header value, "" for none
 */
record AnthropicSettings(URI baseUrl, int defaultMaxTokens, String beta) {

  AnthropicSettings {
    requireNonNull(baseUrl, "baseUrl");
    if (defaultMaxTokens < 1) {
      throw new IllegalArgumentException("defaultMaxTokens must be >= 1, was " + defaultMaxTokens);
    }
    requireNonNull(beta, "beta");
  }
}
