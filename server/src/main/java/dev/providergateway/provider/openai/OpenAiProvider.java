package dev.providergateway.provider.openai;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.ModelInfo;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolCallFormat;
import dev.providergateway.provider.http.UpstreamHttp;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * A provider speaking OpenAI Chat Completions ({@code POST {base}/chat/completions}, SSE
 * streaming): OpenAI itself and every compatible API and local server.
 */
final class OpenAiProvider implements Provider {
  private final String name;
  private final OpenAiSettings settings;
  private final UpstreamHttp http;
  private final URI endpoint;
  private final Map<String, String> headers;
  private final ProviderDescriptor descriptor;

  OpenAiProvider(String name, String wireType, String description, OpenAiSettings settings, List<String> models, Clock clock) {
    this.name = requireNonNull(name, "name");
    this.settings = requireNonNull(settings, "settings");
    this.http = new UpstreamHttp(settings.connectTimeout(), settings.requestTimeout(), clock);
    String base = settings.baseUrl().toString();
    this.endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/chat/completions");
    Map<String, String> h = new LinkedHashMap<>(settings.headers());
    if (settings.apiKey() != null) {
      h.put("authorization", "Bearer " + settings.apiKey());
    }
    this.headers = Map.copyOf(h);
    Capabilities caps = new Capabilities(true, true, true, false, ToolCallFormat.OPENAI, 0);
    this.descriptor = new ProviderDescriptor(wireType, description, settings.defaultModel(),
        models.stream().map(m -> new ModelInfo(m, caps)).toList(), caps, false);
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
    var body = OpenAiMapper.requestBody(request, false, rules(request), notes);
    CompletableFuture<com.fasterxml.jackson.databind.JsonNode> exchange = http.postJson(endpoint, headers, body, origin, context);
    CompletableFuture<CompletionResponse> result = exchange.thenApply(json -> OpenAiMapper.response(json, origin, notes));
    result.whenComplete((r, e) -> {
      if (result.isCancelled()) {
        exchange.cancel(true);
      }
    });
    return result;
  }

  @Override
  public Flow.Publisher<StreamEvent> stream(ChatRequest request, CallContext context) {
    Origin origin = new Origin(name, request.model(), 0);
    Map<String, String> notes = new LinkedHashMap<>();
    var body = OpenAiMapper.requestBody(request, true, rules(request), notes);
    return http.postStream(endpoint, headers, body, origin, context, () -> new OpenAiStreamDecoder(origin, notes));
  }

  @Override
  public void close() {
    // The JDK HttpClient releases its pooled connections when it is no longer referenced.
  }

  private OpenAiModels.Rules rules(ChatRequest request) {
    return OpenAiModels.rulesFor(request.model(), settings.officialOpenAi());
  }
}
