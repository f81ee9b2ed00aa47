package dev.providergateway.provider.openai;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.EmbedRequest;
import dev.providergateway.provider.EmbedResponse;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.http.HttpProvider;
import dev.providergateway.provider.http.ProviderOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A provider speaking OpenAI Chat Completions ({@code POST {base}/chat/completions}, SSE
 * streaming): OpenAI itself, Azure OpenAI (deployment URLs, {@code api-key} header) and every
 * compatible API and local server.
 */
final class OpenAiProvider extends HttpProvider {
  private final OpenAiSettings settings;

  /** The endpoints, built once (not per call) where the model is not part of them (not Azure). */
  private final URI chatUri;

  private final URI embeddingsUri;

  OpenAiProvider(ProviderOptions options, OpenAiSettings settings, ProviderDescriptor descriptor) {
    super(
        options,
        descriptor,
        credential(options.apiKey(), settings.azure()),
        OpenAiResponseMapper::response,
        OpenAiStreamDecoder::new);
    this.settings = settings;
    this.chatUri = URI.create(settings.baseUrl() + "/chat/completions");
    this.embeddingsUri = URI.create(settings.baseUrl() + "/embeddings");
  }

  /** The validated settings, for tests of what a factory derived. */
  OpenAiSettings settings() {
    return settings;
  }

  /** For Azure the model is the deployment, and the API version a query parameter. */
  @Override
  protected URI endpoint(ChatRequest request, boolean stream) {
    return settings.azure() ? azureEndpoint(request.model(), "chat/completions") : chatUri;
  }

  private URI azureEndpoint(String model, String method) {
    String deployment = URLEncoder.encode(model, StandardCharsets.UTF_8).replace("+", "%20");
    return URI.create(
        settings.baseUrl()
            + "/openai/deployments/"
            + deployment
            + "/"
            + method
            + "?api-version="
            + URLEncoder.encode(settings.azureApiVersion(), StandardCharsets.UTF_8));
  }

  /** Every OpenAI-compatible entry claims {@code /embeddings}; servers without it answer 404. */
  @Override
  public boolean servesEmbeddings() {
    return true;
  }

  /** {@code POST {base}/embeddings} (Azure: the deployment's {@code embeddings}). */
  @Override
  public CompletableFuture<EmbedResponse> embed(EmbedRequest request, CallContext context) {
    Origin origin = new Origin(name(), request.model(), 0);
    return postJson(
        settings.azure() ? azureEndpoint(request.model(), "embeddings") : embeddingsUri,
        OpenAiEmbeddings.requestBody(request),
        origin,
        context,
        json -> OpenAiEmbeddings.response(json, origin, request.inputs().size()));
  }

  @Override
  protected Object requestBody(ChatRequest request, boolean stream, Map<String, String> notes) {
    var dialect =
        new OpenAiRequestMapper.Dialect(
            OpenAiModels.rulesFor(request.model(), settings.officialOpenAi()),
            settings.officialOpenAi(),
            settings.streamUsage());
    return OpenAiRequestMapper.requestBody(request, stream, dialect, notes);
  }

  @Override
  protected Throwable refineError(Throwable failure) {
    return OpenAiErrors.refine(failure);
  }

  private static Map<String, String> credential(String apiKey, boolean azure) {
    if (apiKey == null) {
      return Map.of();
    }
    return azure ? Map.of("api-key", apiKey) : Map.of("authorization", "Bearer " + apiKey);
  }
}
