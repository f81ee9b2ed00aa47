package dev.providergateway.provider.ollama;

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
 * A provider speaking Ollama's native chat API ({@code POST {base}/api/chat}, newline-delimited
 * JSON streaming), for a local or remote Ollama server or Ollama's cloud API.
 *
 * <p>Capabilities say {@link ToolCallFormat#OLLAMA_NATIVE}: models with a tool-calling template
 * return structured calls; for the others the gateway's fallback parser finds calls in the text.
 */
final class OllamaProvider implements Provider {
  private final String name;
  private final UpstreamHttp http;
  private final URI endpoint;
  private final Map<String, String> headers;
  private final OllamaSettings settings;
  private final ProviderDescriptor descriptor;

  OllamaProvider(String name, String wireType, OllamaSettings settings, List<String> models, Clock clock) {
    this.name = requireNonNull(name, "name");
    this.settings = requireNonNull(settings, "settings");
    this.http = new UpstreamHttp(settings.connectTimeout(), settings.requestTimeout(), clock);
    String base = settings.baseUrl().toString().replaceAll("/+$", "");
    this.endpoint = URI.create(base + "/api/chat");
    Map<String, String> h = new LinkedHashMap<>(settings.headers());
    if (settings.apiKey() != null) {
      h.put("authorization", "Bearer " + settings.apiKey());
    }
    this.headers = Map.copyOf(h);
    // Vision and tools depend on the model; these say what the wire supports.
    Capabilities caps = new Capabilities(true, true, true, false, ToolCallFormat.OLLAMA_NATIVE, 0);
    this.descriptor = new ProviderDescriptor(wireType, "Ollama at " + settings.baseUrl().getAuthority(),
        settings.defaultModel(), models.stream().map(m -> new ModelInfo(m, caps)).toList(), caps, false);
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
    var body = OllamaMapper.requestBody(request, false, settings, notes);
    return http.postJson(endpoint, headers, body, origin, context,
        json -> OllamaMapper.response(json, origin, notes));
  }

  @Override
  public Flow.Publisher<StreamEvent> stream(ChatRequest request, CallContext context) {
    Origin origin = new Origin(name, request.model(), 0);
    Map<String, String> notes = new LinkedHashMap<>();
    var body = OllamaMapper.requestBody(request, true, settings, notes);
    return http.postStream(endpoint, headers, body, origin, context, () -> new OllamaStreamDecoder(origin, notes));
  }

  @Override
  public void close() {
    http.close();
  }
}
