package dev.providergateway.provider.gemini;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.InvalidRequestException;
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
import java.util.regex.Pattern;

/**
 * A provider speaking the Gemini API: {@code POST {base}/v1beta/models/{model}:generateContent}
 * and {@code :streamGenerateContent?alt=sse}, authenticated with the {@code x-goog-api-key}
 * header (never the {@code key} query parameter, so the key stays out of URLs and logs).
 */
final class GeminiProvider implements Provider {
  private static final Pattern MODEL = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._\\-]*(/[A-Za-z0-9._\\-]+)?$");

  private final String name;
  private final GeminiSettings settings;
  private final UpstreamHttp http;
  private final String root;
  private final Map<String, String> headers;
  private final ProviderDescriptor descriptor;

  GeminiProvider(String name, String wireType, GeminiSettings settings, List<String> models, Clock clock) {
    this.name = requireNonNull(name, "name");
    this.settings = requireNonNull(settings, "settings");
    this.http = new UpstreamHttp(settings.connectTimeout(), settings.requestTimeout(), clock, GeminiErrors::refine);
    String base = settings.baseUrl().toString().replaceAll("/+$", "");
    this.root = base + "/" + settings.apiVersion() + "/";
    Map<String, String> h = new LinkedHashMap<>(settings.headers());
    if (settings.apiKey() != null) {
      h.put("x-goog-api-key", settings.apiKey());
    }
    this.headers = Map.copyOf(h);
    Capabilities defaults = capabilities(settings.defaultModel());
    this.descriptor = new ProviderDescriptor(wireType, "Google Gemini API at " + settings.baseUrl().getHost(),
        settings.defaultModel(), models.stream().map(m -> new ModelInfo(m, capabilities(m))).toList(), defaults, false);
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
    var body = GeminiRequestMapper.requestBody(request, settings, notes);
    return http.postJson(endpoint(request.model(), false), headers, body, origin, context,
        json -> GeminiResponseMapper.completion(json, origin, notes));
  }

  @Override
  public Flow.Publisher<StreamEvent> stream(ChatRequest request, CallContext context) {
    Origin origin = new Origin(name, request.model(), 0);
    Map<String, String> notes = new LinkedHashMap<>();
    var body = GeminiRequestMapper.requestBody(request, settings, notes);
    return http.postStream(
        endpoint(request.model(), true), headers, body, origin, context, () -> new GeminiStreamDecoder(origin, notes));
  }

  @Override
  public void close() {
    http.close();
  }

  /** {@code {base}/{version}/models/{model}:generateContent}, or the streaming method with SSE. */
  URI endpoint(String model, boolean stream) {
    if (!MODEL.matcher(model).matches()) {
      throw InvalidRequestException.of("model", "'" + model + "' is not a Gemini model name such as gemini-2.5-flash");
    }
    // "models/x" and "tunedModels/x" are resource names already; a bare id lives under models/.
    String resource = model.contains("/") ? model : "models/" + model;
    return URI.create(root + resource + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent"));
  }

  private static Capabilities capabilities(String model) {
    return new Capabilities(true, true, true, true, ToolCallFormat.GOOGLE, GeminiModels.contextWindow(model));
  }
}
