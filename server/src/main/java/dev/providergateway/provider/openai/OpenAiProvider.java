package dev.providergateway.provider.openai;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.http.UpstreamHttp;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;

/**
 * A provider speaking OpenAI Chat Completions ({@code POST {base}/chat/completions}, SSE
 * streaming): OpenAI itself, Azure OpenAI (deployment URLs, {@code api-key} header) and every
 * compatible API and local server.
 */
final class OpenAiProvider implements Provider {
  private final String name;
  private final OpenAiSettings settings;
  private final UpstreamHttp http;
  private final Map<String, String> headers;
  private final ProviderDescriptor descriptor;

  OpenAiProvider(String name, OpenAiSettings settings, ProviderDescriptor descriptor, Clock clock) {
    this.name = requireNonNull(name, "name");
    this.settings = requireNonNull(settings, "settings");
    this.descriptor = requireNonNull(descriptor, "descriptor");
    this.http = new UpstreamHttp(settings.connectTimeout(), settings.requestTimeout(), clock, OpenAiErrors::refine);
    Map<String, String> h = new LinkedHashMap<>(settings.headers());
    if (settings.apiKey() != null) {
      if (settings.azure()) {
        h.put("api-key", settings.apiKey());
      } else {
        h.put("authorization", "Bearer " + settings.apiKey());
      }
    }
    this.headers = Map.copyOf(h);
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
    var body = OpenAiMapper.requestBody(request, false, dialect(request), notes);
    return http.postJson(endpoint(request.model()), headers, body, origin, context,
        json -> OpenAiMapper.response(json, origin, notes));
  }

  @Override
  public Flow.Publisher<StreamEvent> stream(ChatRequest request, CallContext context) {
    Origin origin = new Origin(name, request.model(), 0);
    Map<String, String> notes = new LinkedHashMap<>();
    var body = OpenAiMapper.requestBody(request, true, dialect(request), notes);
    return http.postStream(
        endpoint(request.model()), headers, body, origin, context, () -> new OpenAiStreamDecoder(origin, notes));
  }

  @Override
  public void close() {
    http.close();
  }

  /** The validated settings, for tests of what a factory derived. */
  OpenAiSettings settings() {
    return settings;
  }

  /** Where a request for {@code model} goes: for Azure the model is the deployment. */
  URI endpoint(String model) {
    String base = settings.baseUrl().toString();
    if (settings.azure()) {
      String deployment = URLEncoder.encode(model, StandardCharsets.UTF_8).replace("+", "%20");
      return URI.create(base + "/openai/deployments/" + deployment + "/chat/completions?api-version="
          + URLEncoder.encode(settings.azureApiVersion(), StandardCharsets.UTF_8));
    }
    return URI.create(base + "/chat/completions");
  }

  private OpenAiMapper.Dialect dialect(ChatRequest request) {
    return new OpenAiMapper.Dialect(
        OpenAiModels.rulesFor(request.model(), settings.officialOpenAi()), settings.officialOpenAi(), settings.streamUsage());
  }
}
