package dev.providergateway.provider.gemini;

import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.ErrorText;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.http.HttpProvider;
import dev.providergateway.provider.http.ProviderOptions;
import java.net.URI;
import java.util.Map;
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
    String model = request.model();
    if (!MODEL.matcher(model).matches()) {
      throw InvalidRequestException.of(
          "model", ErrorText.quote(model) + " is not a Gemini model name such as gemini-2.5-flash");
    }
    // "models/x" and "tunedModels/x" are resource names already; a bare id lives under models/.
    String resource = model.contains("/") ? model : "models/" + model;
    return URI.create(
        root + resource + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent"));
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
