package dev.providergateway.provider.gemini;

import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ModelInfo;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.ToolCallFormat;
import dev.providergateway.provider.http.ProviderOptions;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates Google Gemini API providers (type {@code gemini}).
 *
 * <p>Base URL: the config's {@code base_url}, else {@code GOOGLE_GEMINI_BASE_URL} (the variable
 * Google's own Gen AI SDKs read), else {@code GEMINI_BASE_URL} (used by several other tools), else
 * {@code https://generativelanguage.googleapis.com}. A base URL ending in an API version ({@code
 * .../v1beta}) uses that version; otherwise {@code options.api_version} or {@code v1beta}.
 *
 * <p>API key: the config's {@code api_key}, else {@code GOOGLE_API_KEY}, else {@code
 * GEMINI_API_KEY} (Google's SDKs prefer {@code GOOGLE_API_KEY} when both are set). With either
 * variable set, an instance named {@code gemini} is registered automatically.
 *
 * <p>Options: {@code headers} (extra request headers), {@code api_version}, {@code
 * include_thoughts} (default true: thinking models return thought summaries), {@code
 * response_json_schema} (default false: a JSON schema response format is converted to {@code
 * responseSchema}; true sends it untouched as {@code responseJsonSchema}).
 */
public final class GeminiProviderFactory implements ProviderFactory {
  static final String GEMINI_BASE = "https://generativelanguage.googleapis.com";
  private static final String API_VERSION = "api_version";
  private static final String INCLUDE_THOUGHTS = "include_thoughts";
  private static final String RESPONSE_JSON_SCHEMA = "response_json_schema";
  private static final Pattern VERSION = Pattern.compile("v\\d+(?:alpha|beta)?\\d*");
  private static final Pattern VERSIONED = Pattern.compile("^(.*?)/(" + VERSION + ")$");

  @Override
  public String type() {
    return "gemini";
  }

  @Override
  public Provider create(ProviderSettings s) {
    ProviderOptions options =
        ProviderOptions.of(s, API_VERSION, INCLUDE_THOUGHTS, RESPONSE_JSON_SCHEMA);
    URI base =
        options.baseUrl(
            firstSet(s.env(), "GOOGLE_GEMINI_BASE_URL", "GEMINI_BASE_URL"), GEMINI_BASE);
    String version = options.string(API_VERSION, "v1beta");
    if (!VERSION.matcher(version).matches()) {
      throw new IllegalArgumentException(
          "options."
              + API_VERSION
              + ": expected an API version such as v1beta or v1, was "
              + version);
    }
    Matcher versioned = VERSIONED.matcher(base.toString());
    if (versioned.matches()) {
      base = URI.create(versioned.group(1));
      version = versioned.group(2);
    }
    String model = options.defaultModel(GeminiModels.DEFAULT_MODEL);
    GeminiSettings settings =
        new GeminiSettings(
            base,
            version,
            options.flag(INCLUDE_THOUGHTS, true),
            options.flag(RESPONSE_JSON_SCHEMA, false));
    String key =
        options.apiKey() != null
            ? options.apiKey()
            : value(s.env(), firstSet(s.env(), "GOOGLE_API_KEY", "GEMINI_API_KEY"));
    return new GeminiProvider(options, settings, key, descriptor(base, model, s.models()));
  }

  @Override
  public List<ProviderSettings> autoConfigure(Map<String, String> env) {
    String key = value(env, firstSet(env, "GOOGLE_API_KEY", "GEMINI_API_KEY"));
    if (key == null) {
      return List.of();
    }
    String base = value(env, firstSet(env, "GOOGLE_GEMINI_BASE_URL", "GEMINI_BASE_URL"));
    return List.of(
        ProviderSettings.builder("gemini", type())
            .baseUrl(base != null ? base : GEMINI_BASE)
            .apiKey(key)
            .env(env)
            .build());
  }

  private ProviderDescriptor descriptor(URI base, String model, List<String> configured) {
    Set<String> models = new LinkedHashSet<>();
    models.add(model);
    models.addAll(configured.isEmpty() ? GeminiModels.KNOWN : configured);
    return new ProviderDescriptor(
        type(),
        "Google Gemini API at " + base.getHost(),
        model,
        models.stream().map(m -> new ModelInfo(m, capabilities(m))).toList(),
        capabilities(model),
        false);
  }

  private static Capabilities capabilities(String model) {
    return new Capabilities(
        true, true, true, true, ToolCallFormat.GOOGLE, GeminiModels.contextWindow(model));
  }

  /**
   * The first of {@code names} set in {@code env}, else the last: the variable a value comes from.
   */
  private static String firstSet(Map<String, String> env, String... names) {
    for (String name : names) {
      if (value(env, name) != null) {
        return name;
      }
    }
    return names[names.length - 1];
  }

  private static String value(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.strip();
  }
}
