package dev.providergateway.provider.openai;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ModelInfo;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.http.ProviderOptions;
import dev.providergateway.provider.openai.OpenAiPreset.Kind;
import dev.providergateway.provider.openai.OpenAiPreset.Trait;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creates OpenAI Chat Completions providers of type {@code openai}: OpenAI itself by default, or
 * any other OpenAI-compatible endpoint given {@code base_url}, {@code api_key} and optionally
 * {@code options.headers} and {@code options.stream_usage}. With {@code OPENAI_API_KEY} set, an
 * {@code openai} instance is registered automatically ({@code OPENAI_BASE_URL} overrides its base
 * URL). The named compatible services have their own types, in {@link OpenAiPresetFactories}: each
 * is this factory with another {@link OpenAiPreset}.
 *
 * <p>Precedence for a config entry: {@code base_url}, else {@code <PREFIX>_BASE_URL} from the
 * environment, else the preset's default. The API key comes only from {@code api_key} (write {@code
 * ${GROQ_API_KEY}} to take it from the environment): reading a key variable implicitly would send,
 * say, an OpenAI key to whatever server a {@code type: openai} entry points at.
 *
 * <p>Thread-safe; instantiated by {@link java.util.ServiceLoader}.
 */
public class OpenAiProviderFactory implements ProviderFactory {
  /**
   * The GA data-plane version that has {@code max_completion_tokens} and {@code stream_options}.
   */
  static final String AZURE_API_VERSION = "2024-10-21";

  private static final String STREAM_USAGE = "stream_usage";
  private static final String API_VERSION = "api_version";
  private static final System.Logger LOG = System.getLogger(OpenAiProviderFactory.class.getName());

  private final OpenAiPreset preset;

  /** The factory of type {@code openai}. */
  public OpenAiProviderFactory() {
    this(OpenAiPreset.OPENAI);
  }

  OpenAiProviderFactory(OpenAiPreset preset) {
    this.preset = requireNonNull(preset, "preset");
  }

  @Override
  public final String type() {
    return preset.name();
  }

  @Override
  public final Provider create(ProviderSettings s) {
    boolean azure = preset.kind() == Kind.AZURE;
    ProviderOptions options =
        azure
            ? ProviderOptions.of(s, STREAM_USAGE, API_VERSION)
            : ProviderOptions.of(s, STREAM_USAGE);
    URI base = options.baseUrl(preset.baseUrlEnv(), preset.baseUrl());
    // A hosted service at its own URL always needs a key; a proxy or local server may not.
    boolean hostedDefault = preset.kind() != Kind.LOCAL && base.toString().equals(preset.baseUrl());
    if (s.apiKey() == null && (azure || hostedDefault)) {
      throw new IllegalArgumentException(
          "api_key is required for type '"
              + preset.name()
              + "' at "
              + base
              + "; set api_key, for example to ${"
              + preset.keyEnv()
              + "}");
    }
    boolean official = azure || base.getHost().endsWith("api.openai.com");
    // A type-openai entry pointing elsewhere is some other compatible server: OpenAI's model
    // list and name would be wrong for it.
    boolean generic = preset.kind() == Kind.OFFICIAL && !official;
    String model = options.defaultModel(preset.defaultModel());
    String apiVersion = azure ? apiVersion(options) : null;
    boolean streamUsage = options.flag(STREAM_USAGE, !preset.has(Trait.NO_STREAM_OPTIONS));
    return new OpenAiProvider(
        options,
        new OpenAiSettings(base, official, apiVersion, streamUsage),
        descriptor(base, model, s.models(), generic));
  }

  @Override
  public final List<ProviderSettings> autoConfigure(Map<String, String> env) {
    String key = firstNonBlank(env.get(preset.keyEnv()));
    String base = firstNonBlank(env.get(preset.baseUrlEnv()));
    boolean wanted =
        switch (preset.kind()) {
          case LOCAL -> base != null;
          case AZURE -> key != null && base != null;
          case OFFICIAL, HOSTED -> key != null;
        };
    if (preset.kind() == Kind.AZURE && key != null && base == null) {
      LOG.log(
          System.Logger.Level.WARNING,
          "{0} is set but {1} is not; provider ''{2}'' is not registered",
          preset.keyEnv(),
          preset.baseUrlEnv(),
          preset.name());
    }
    if (!wanted) {
      return List.of();
    }
    return List.of(
        ProviderSettings.builder(preset.name(), preset.name())
            .baseUrl(base != null ? base : preset.baseUrl())
            .apiKey(key)
            .env(env)
            .build());
  }

  /**
   * {@code options.api_version}, else {@code OPENAI_API_VERSION} (as in Azure's own SDKs), else the
   * GA default.
   */
  private static String apiVersion(ProviderOptions options) {
    String version = options.string(API_VERSION, null);
    if (version != null && !version.matches("\\d{4}-\\d{2}-\\d{2}(-preview)?")) {
      throw new IllegalArgumentException(
          "options."
              + API_VERSION
              + ": expected a version such as "
              + AZURE_API_VERSION
              + ", was "
              + version);
    }
    return firstNonBlank(
        version, options.settings().env().get("OPENAI_API_VERSION"), AZURE_API_VERSION);
  }

  private ProviderDescriptor descriptor(
      URI base, String defaultModel, List<String> configured, boolean generic) {
    Capabilities caps =
        new Capabilities(
            true,
            true,
            preset.has(Trait.VISION) || generic,
            preset.has(Trait.PROMPT_CACHING),
            preset.toolCallFormat(),
            0);
    Set<String> models = new LinkedHashSet<>();
    models.add(defaultModel);
    if (!generic) {
      models.addAll(preset.models());
    }
    models.addAll(configured);
    String description =
        (generic ? "OpenAI-compatible" : preset.displayName())
            + " Chat Completions at "
            + base.getHost();
    // Wire type "openai" for every preset: ListProviders reports the protocol spoken.
    return new ProviderDescriptor(
        OpenAiPreset.OPENAI.name(),
        description,
        defaultModel,
        models.stream().map(m -> new ModelInfo(m, caps)).toList(),
        caps,
        false);
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.strip();
      }
    }
    return null;
  }
}
