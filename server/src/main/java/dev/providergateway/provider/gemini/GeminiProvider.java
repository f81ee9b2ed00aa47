package dev.providergateway.provider.gemini;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.EmbedRequest;
import dev.providergateway.provider.EmbedResponse;
import dev.providergateway.provider.ErrorText;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.TokenCount;
import dev.providergateway.provider.http.HttpProvider;
import dev.providergateway.provider.http.ProviderOptions;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * A provider speaking the Gemini API: {@code POST {base}/v1beta/models/{model}:generateContent} and
 * {@code :streamGenerateContent?alt=sse}, authenticated with the {@code x-goog-api-key} header
 * (never the {@code key} query parameter, so the key stays out of URLs and logs).
 */
final class GeminiProvider extends HttpProvider {
  private static final Pattern MODEL =
      Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._\\-]*(/[A-Za-z0-9._\\-]+)?$");

  private final GeminiSettings settings;
  private final String root;

  /** {@code apiKey}: the entry's own or one from the environment; null for a proxy that adds it. */
  GeminiProvider(
      ProviderOptions options,
      GeminiSettings settings,
      String apiKey,
      ProviderDescriptor descriptor) {
    super(
        options,
        descriptor,
        apiKey == null ? Map.of() : Map.of("x-goog-api-key", apiKey),
        GeminiResponseMapper::response,
        GeminiStreamDecoder::new);
    this.settings = settings;
    this.root = settings.baseUrl() + "/" + settings.apiVersion() + "/";
  }

  /** {@code {base}/{version}/models/{model}:generateContent}, or the streaming method with SSE. */
  @Override
  protected URI endpoint(ChatRequest request, boolean stream) {
    return URI.create(
        root
            + resource(request.model())
            + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent"));
  }

  /** The model's resource name; throws for a name Gemini cannot address. */
  private static String resource(String model) {
    if (!MODEL.matcher(model).matches()) {
      throw InvalidRequestException.of(
          "model", ErrorText.quote(model) + " is not a Gemini model name such as gemini-2.5-flash");
    }
    // "models/x" and "tunedModels/x" are resource names already; a bare id lives under models/.
    return model.contains("/") ? model : "models/" + model;
  }

  @Override
  public boolean servesEmbeddings() {
    return true;
  }

  /** {@code models/{model}:batchEmbedContents}, every input in one upstream call. */
  @Override
  public CompletableFuture<EmbedResponse> embed(EmbedRequest request, CallContext context) {
    String resource = resource(request.model());
    Origin origin = new Origin(name(), request.model(), 0);
    return postJson(
        URI.create(root + resource + ":batchEmbedContents"),
        GeminiEmbeddings.requestBody(request, resource),
        origin,
        context,
        json -> GeminiEmbeddings.response(json, origin, request.inputs().size()));
  }

  /** Gemini's own count: {@code models/{model}:countTokens}. */
  @Override
  public CompletableFuture<TokenCount> countTokens(ChatRequest request, CallContext context) {
    String resource = resource(request.model());
    Origin origin = new Origin(name(), request.model(), 0);
    ObjectNode generate =
        GeminiRequestMapper.requestBody(request, settings, new java.util.LinkedHashMap<>());
    return postJson(
        URI.create(root + resource + ":countTokens"),
        GeminiEmbeddings.countBody(generate, resource),
        origin,
        context,
        json -> GeminiEmbeddings.count(json, origin));
  }

  /** The same body for both methods: Gemini says "stream" in the URL. */
  @Override
  protected Object requestBody(ChatRequest request, boolean stream, Map<String, String> notes) {
    return GeminiRequestMapper.requestBody(request, settings, notes);
  }

  @Override
  protected Throwable refineError(Throwable failure) {
    return GeminiErrors.refine(failure);
  }
}
