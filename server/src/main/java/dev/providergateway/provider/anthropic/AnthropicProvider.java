package dev.providergateway.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.TokenCount;
import dev.providergateway.provider.http.HttpProvider;
import dev.providergateway.provider.http.ProviderOptions;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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
  private final URI countEndpoint;

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
    this.countEndpoint = URI.create(settings.baseUrl() + "/v1/messages/count_tokens");
  }

  @Override
  protected URI endpoint(ChatRequest request, boolean stream) {
    return endpoint;
  }

  @Override
  protected Object requestBody(ChatRequest request, boolean stream, Map<String, String> notes) {
    return AnthropicRequestMapper.body(request, stream, settings.defaultMaxTokens(), notes);
  }

  /** The structured-outputs beta, beside any configured one, when {@code output_format} is sent. */
  @Override
  protected Map<String, String> requestHeaders(ChatRequest request) {
    if (!AnthropicModels.nativeStructuredOutput(request)) {
      return Map.of();
    }
    String beta = settings.beta();
    return Map.of(
        "anthropic-beta",
        beta.isEmpty()
            ? AnthropicModels.STRUCTURED_OUTPUTS_BETA
            : beta + "," + AnthropicModels.STRUCTURED_OUTPUTS_BETA);
  }

  /** Anthropic's own count: {@code POST /v1/messages/count_tokens}, answered free of charge. */
  @Override
  public CompletableFuture<TokenCount> countTokens(ChatRequest request, CallContext context) {
    Origin origin = new Origin(name(), request.model(), 0);
    return postJson(
        countEndpoint,
        requestHeaders(request),
        AnthropicRequestMapper.countBody(request, settings.defaultMaxTokens()),
        origin,
        context,
        json -> {
          JsonNode tokens = json.path("input_tokens");
          if (!tokens.canConvertToInt() || tokens.asInt() < 0) {
            throw new ProviderException.InvalidResponse(
                origin, name() + " sent a count_tokens answer without input_tokens", null);
          }
          return new TokenCount(tokens.asInt(), false);
        });
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
