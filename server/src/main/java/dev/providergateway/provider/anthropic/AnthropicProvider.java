package dev.providergateway.provider.anthropic;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.http.UpstreamHttp;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * A provider speaking Anthropic's Messages API ({@code POST {base}/v1/messages} with {@code
 * x-api-key} and {@code anthropic-version}, SSE streaming). A request that cannot be expressed on
 * this wire fails at once, before anything is sent, with an {@link
 * dev.providergateway.provider.InvalidRequestException} naming the field.
 */
final class AnthropicProvider implements Provider {
  /** The API version every request pins, as Anthropic requires. */
  static final String API_VERSION = "2023-06-01";

  private final String name;
  private final AnthropicSettings settings;
  private final UpstreamHttp http;
  private final URI endpoint;
  private final Map<String, String> headers;
  private final ProviderDescriptor descriptor;

  AnthropicProvider(String name, String wireType, AnthropicSettings settings, List<String> models, Clock clock) {
    this.name = requireNonNull(name, "name");
    this.settings = requireNonNull(settings, "settings");
    this.http = new UpstreamHttp(settings.connectTimeout(), settings.requestTimeout(), clock);
    this.endpoint = URI.create(settings.baseUrl() + "/v1/messages");
    Map<String, String> h = new LinkedHashMap<>(settings.headers());
    h.put("anthropic-version", API_VERSION);
    if (!settings.beta().isEmpty()) {
      h.put("anthropic-beta", settings.beta());
    }
    if (settings.apiKey() != null) {
      h.put("x-api-key", settings.apiKey());
    }
    this.headers = Map.copyOf(h);
    this.descriptor = new ProviderDescriptor(wireType, "Anthropic Messages at " + settings.baseUrl().getHost(),
        settings.defaultModel(), AnthropicModels.list(settings.defaultModel(), models), AnthropicModels.CAPABILITIES, false);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ProviderDescriptor descriptor() {
    return descriptor;
  }

  @Override
  public CompletableFuture<CompletionResponse> chat(ChatRequest request, CallContext context) {
    Origin origin = new Origin(name, request.model(), 0);
    Map<String, String> notes = new LinkedHashMap<>();
    ObjectNode body = AnthropicRequestMapper.body(request, false, settings.defaultMaxTokens(), notes);
    return http.postJson(endpoint, headers, body, origin, context,
        json -> AnthropicResponseMapper.response(json, origin, notes));
  }

  @Override
  public Flow.Publisher<StreamEvent> stream(ChatRequest request, CallContext context) {
    Origin origin = new Origin(name, request.model(), 0);
    Map<String, String> notes = new LinkedHashMap<>();
    ObjectNode body = AnthropicRequestMapper.body(request, true, settings.defaultMaxTokens(), notes);
    return http.postStream(endpoint, headers, body, origin, context, () -> new AnthropicStreamDecoder(origin, notes));
  }

  @Override
  public void close() {
    http.close();
  }
}
