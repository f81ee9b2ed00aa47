package dev.providergateway.provider.openai;

/**
 * Creates OpenAI Chat Completions providers of type {@code openai}: OpenAI itself by default, or
 * any other OpenAI-compatible endpoint given {@code base_url}, {@code api_key} and optionally
 * {@code options.headers} and {@code options.stream_usage}. With {@code OPENAI_API_KEY} set, an
 * {@code openai} instance is registered automatically ({@code OPENAI_BASE_URL} overrides its base
 * URL). The named compatible services have their own types, in {@link OpenAiPresetFactories}.
 *
 * <p>Thread-safe; instantiated by {@link java.util.ServiceLoader}.
 */
public final class OpenAiProviderFactory extends OpenAiFamilyFactory {

  /** The factory of type {@code openai}. */
  public OpenAiProviderFactory() {
    super(OpenAiPreset.OPENAI);
  }
}
