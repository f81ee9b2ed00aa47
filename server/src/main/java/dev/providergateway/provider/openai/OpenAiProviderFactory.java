package dev.providergateway.provider.openai;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ModelInfo;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.openai.OpenAiPreset.Kind;
import dev.providergateway.provider.openai.OpenAiPreset.Trait;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The factory of one {@link OpenAiPreset}: its config {@code type} is the preset's name, it
 * validates a config entry against the preset's defaults, and it registers the preset
 * automatically from the environment. Every preset factory is this class with another preset.
 *
 * <p>Precedence for a config entry: {@code base_url}, else {@code <PREFIX>_BASE_URL} from the
 * environment, else the preset's default. The API key comes only from {@code api_key} (write
 * {@code ${GROQ_API_KEY}} to take it from the environment): reading a key variable implicitly
 * would send, say, an OpenAI key to whatever server a {@code type: openai} entry points at.
 */
abstract class OpenAiFamilyFactory implements ProviderFactory {
  /** The GA data-plane version that has {@code max_completion_tokens} and {@code stream_options}. */
  static final String AZURE_API_VERSION = "2024-10-21";
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);

  private static final System.Logger LOG = System.getLogger(OpenAiFamilyFactory.class.getName());

  private final OpenAiPreset preset;

  OpenAiFamilyFactory(OpenAiPreset preset) {
    this.preset = requireNonNull(preset, "preset");
  }

  @Override
  public final String type() {
    return preset.name();
  }

  @Override
  public final Provider create(ProviderSettings s) {
    OpenAiOptions options = OpenAiOptions.parse(s.options(), preset);
    URI base = baseUrl(s);
    boolean azure = preset.kind() == Kind.AZURE;
    // A hosted service at its own URL always needs a key; a proxy or local server may not.
    boolean hostedDefault = preset.kind() != Kind.LOCAL && base.toString().equals(preset.baseUrl());
    if (s.apiKey() == null && (azure || hostedDefault)) {
      throw new IllegalArgumentException("api_key is required for type '" + preset.name() + "' at " + base
          + "; set api_key, for example to ${" + preset.keyEnv() + "}");
    }
    options.checkHeadersAgainstCredential(s.apiKey() != null, azure);
    boolean official = azure || base.getHost().endsWith("api.openai.com");
    // A type-openai entry pointing elsewhere is some other compatible server: OpenAI's model
    // list and name would be wrong for it.
    boolean generic = preset.kind() == Kind.OFFICIAL && !official;
    String model = s.defaultModel() != null ? s.defaultModel() : preset.defaultModel();
    String apiVersion = azure
        ? firstNonBlank(options.apiVersion(), s.env().get("OPENAI_API_VERSION"), AZURE_API_VERSION) : null;
    OpenAiSettings settings = new OpenAiSettings(base, s.apiKey(), model, options.headers(), official, apiVersion,
        options.streamUsage(), CONNECT_TIMEOUT, REQUEST_TIMEOUT);
    return new OpenAiProvider(s.name(), settings, descriptor(base, model, s.models(), generic), Clock.systemUTC());
  }

  @Override
  public final List<ProviderSettings> autoConfigure(Map<String, String> env) {
    String key = firstNonBlank(env.get(preset.keyEnv()));
    String base = firstNonBlank(env.get(preset.baseUrlEnv()));
    boolean wanted = switch (preset.kind()) {
      case LOCAL -> base != null;
      case AZURE -> key != null && base != null;
      case OFFICIAL, HOSTED -> key != null;
    };
    if (preset.kind() == Kind.AZURE && key != null && base == null) {
      LOG.log(System.Logger.Level.WARNING, "{0} is set but {1} is not; provider ''{2}'' is not registered",
          preset.keyEnv(), preset.baseUrlEnv(), preset.name());
    }
    if (!wanted) {
      return List.of();
    }
    return List.of(new ProviderSettings(preset.name(), preset.name(), base != null ? base : preset.baseUrl(), key,
        null, List.of(), Map.of(), env));
  }

  private URI baseUrl(ProviderSettings s) {
    String base = firstNonBlank(s.baseUrl(), s.env().get(preset.baseUrlEnv()), preset.baseUrl());
    if (base == null) {
      throw new IllegalArgumentException("base_url is required for type '" + preset.name()
          + "': set it to the resource endpoint, e.g. https://NAME.openai.azure.com, or set " + preset.baseUrlEnv());
    }
    String invalid = "base_url '" + base + "' (from the config entry or " + preset.baseUrlEnv()
        + ") is not an absolute http or https URL such as " + (preset.baseUrl() != null ? preset.baseUrl()
        : "https://NAME.openai.azure.com");
    try {
      URI uri = new URI(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
      if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new IllegalArgumentException(invalid);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(invalid, e);
    }
  }

  private ProviderDescriptor descriptor(URI base, String defaultModel, List<String> configured, boolean generic) {
    Capabilities caps = new Capabilities(true, true, preset.has(Trait.VISION) || generic,
        preset.has(Trait.PROMPT_CACHING), preset.toolCallFormat(), 0);
    Set<String> models = new LinkedHashSet<>();
    models.add(defaultModel);
    if (!generic) {
      models.addAll(preset.models());
    }
    models.addAll(configured);
    String description = (generic ? "OpenAI-compatible" : preset.displayName()) + " Chat Completions at " + base.getHost();
    // Wire type "openai" for every preset: ListProviders reports the protocol spoken.
    return new ProviderDescriptor(OpenAiPreset.OPENAI.name(), description, defaultModel,
        models.stream().map(m -> new ModelInfo(m, caps)).toList(), caps, false);
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
