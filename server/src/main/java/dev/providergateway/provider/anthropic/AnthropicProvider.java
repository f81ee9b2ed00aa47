package dev.providergateway.provider.anthropic;

import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.http.HttpProvider;
import dev.providergateway.provider.http.ProviderOptions;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A provider speaking Anthropic's Messages API ({@code POST {base}/v1/messages} with {@code
 * x-api-key} and {@code anthropic-version}, SSE streaming). A request that cannot be expressed on
 * this wire fails at once, before anything is sent, with an {@link
 * dev.providergateway.provider.InvalidRequestException} naming the field.
 */
final class AnthropicProvider extends HttpProvider {
  /** The API version every request pins, as Anthropic requires. */
  static final String API_VERSION = "2023-06-01";

  private final AnthropicSettings settings;
  private final URI endpoint;

  AnthropicProvider(
      ProviderOptions options, AnthropicSettings settings, ProviderDescriptor descriptor) {
    super(
        options,
        descriptor,
        ownHeaders(options.apiKey(), settings.beta()),
        AnthropicResponseMapper::response,
        AnthropicStreamDecoder::new);
    this.settings = settings;
    this.endpoint = URI.create(settings.baseUrl() + "/v1/messages");
  }

  @Override
  protected URI endpoint(ChatRequest request, boolean stream) {
    return endpoint;
  }

  @Override
  protected Object requestBody(ChatRequest request, boolean stream, Map<String, String> notes) {
    return AnthropicRequestMapper.body(request, stream, settings.defaultMaxTokens(), notes);
  }

  private static Map<String, String> ownHeaders(String apiKey, String beta) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("anthropic-version", API_VERSION);
    if (!beta.isEmpty()) {
      headers.put("anthropic-beta", beta);
    }
    if (apiKey != null) {
      headers.put("x-api-key", apiKey);
    }
    return headers;
  }
}
