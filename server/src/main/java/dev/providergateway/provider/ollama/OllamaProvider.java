package dev.providergateway.provider.ollama;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.EmbedRequest;
import dev.providergateway.provider.EmbedResponse;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.ToolCallFormat;
import dev.providergateway.provider.http.HttpProvider;
import dev.providergateway.provider.http.ProviderOptions;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A provider speaking Ollama's native chat API ({@code POST {base}/api/chat}, newline-delimited
 * JSON streaming), for a local or remote Ollama server or Ollama's cloud API.
 *
 * <p>Capabilities say {@link ToolCallFormat#OLLAMA_NATIVE}: models with a tool-calling template
 * return structured calls; for the others the gateway's fallback parser finds calls in the text.
 */
final class OllamaProvider extends HttpProvider {
  private final OllamaSettings settings;
  private final URI endpoint;
  private final URI embedEndpoint;

  OllamaProvider(ProviderOptions options, OllamaSettings settings, ProviderDescriptor descriptor) {
    // A bearer token for Ollama's cloud API or an authenticating proxy; a local server needs none.
    super(
        options,
        descriptor,
        options.apiKey() == null ? Map.of() : Map.of("authorization", "Bearer " + options.apiKey()),
        OllamaResponseMapper::response,
        OllamaStreamDecoder::new);
    this.settings = settings;
    this.endpoint = URI.create(settings.baseUrl() + "/api/chat");
    this.embedEndpoint = URI.create(settings.baseUrl() + "/api/embed");
  }

  @Override
  protected URI endpoint(ChatRequest request, boolean stream) {
    return endpoint;
  }

  @Override
  public boolean servesEmbeddings() {
    return true;
  }

  /** {@code POST /api/embed}, the batch endpoint (not the older single-input /api/embeddings). */
  @Override
  public CompletableFuture<EmbedResponse> embed(EmbedRequest request, CallContext context) {
    Origin origin = new Origin(name(), request.model(), 0);
    return postJson(
        embedEndpoint,
        OllamaEmbeddings.requestBody(request),
        origin,
        context,
        json -> OllamaEmbeddings.response(json, origin, request.inputs().size()));
  }

  @Override
  protected Object requestBody(ChatRequest request, boolean stream, Map<String, String> notes) {
    return OllamaRequestMapper.requestBody(request, stream, settings, notes);
  }
}
