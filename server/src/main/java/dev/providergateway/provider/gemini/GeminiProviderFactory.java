package dev.providergateway.provider.gemini;

import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates Google Gemini API providers (type {@code gemini}).
 *
 * <p>Base URL: the config's {@code base_url}, else {@code GOOGLE_GEMINI_BASE_URL} (the variable
 * Google's own Gen AI SDKs read), else {@code GEMINI_BASE_URL} (used by several other tools),
 * else {@code https://generativelanguage.googleapis.com}. A base URL ending in an API version
 * ({@code .../v1beta}) uses that version; otherwise {@code options.api_version} or {@code v1beta}.
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
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);
  private static final Pattern VERSIONED = Pattern.compile("^(.*?)/(v\\d+(?:alpha|beta)?\\d*)/?$");

  @Override
  public String type() {
    return "gemini";
  }

  @Override
  public Provider create(ProviderSettings s) {
    String base = s.baseUrl() != null ? s.baseUrl() : envBase(s.env());
    String version = apiVersion(s.options().get("api_version"));
    Matcher versioned = VERSIONED.matcher(base);
    if (versioned.matches()) {
      base = versioned.group(1);
      version = versioned.group(2);
    }
    URI uri = URI.create(base);
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw new IllegalArgumentException("base_url must be an absolute http(s) URL, was " + base);
    }
    String key = s.apiKey() != null ? s.apiKey() : envKey(s.env());
    String model = s.defaultModel() != null ? s.defaultModel() : GeminiModels.DEFAULT_MODEL;
    GeminiSettings settings = new GeminiSettings(uri, version, key, model,
        headers(s.options().get("headers")), flag(s.options().get("include_thoughts"), "options.include_thoughts", true),
        flag(s.options().get("response_json_schema"), "options.response_json_schema", false),
        CONNECT_TIMEOUT, REQUEST_TIMEOUT);
    List<String> models = new ArrayList<>();
    models.add(model);
    for (String m : s.models().isEmpty() ? GeminiModels.KNOWN : s.models()) {
      if (!models.contains(m)) {
        models.add(m);
      }
    }
    return new GeminiProvider(s.name(), type(), settings, models, Clock.systemUTC());
  }

  @Override
  public List<ProviderSettings> autoConfigure(Map<String, String> env) {
    String key = envKey(env);
    if (key == null) {
      return List.of();
    }
    return List.of(new ProviderSettings("gemini", type(), envBase(env), key, null, List.of(), Map.of(), env));
  }

  private static String envBase(Map<String, String> env) {
    for (String name : List.of("GOOGLE_GEMINI_BASE_URL", "GEMINI_BASE_URL")) {
      String value = env.get(name);
      if (value != null && !value.isBlank()) {
        return value.strip();
      }
    }
    return GEMINI_BASE;
  }

  private static String envKey(Map<String, String> env) {
    for (String name : List.of("GOOGLE_API_KEY", "GEMINI_API_KEY")) {
      String value = env.get(name);
      if (value != null && !value.isBlank()) {
        return value.strip();
      }
    }
    return null;
  }

  private static String apiVersion(Object value) {
    if (value == null) {
      return "v1beta";
    }
    if (!(value instanceof String s) || !s.matches("v\\d+(alpha|beta)?\\d*")) {
      throw new IllegalArgumentException("options.api_version must be an API version such as v1beta or v1, was " + value);
    }
    return s;
  }

  private static boolean flag(Object value, String key, boolean fallback) {
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Boolean b)) {
      throw new IllegalArgumentException(key + " must be true or false, was " + value);
    }
    return b;
  }

  private static Map<String, String> headers(Object value) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map) || map.values().stream().anyMatch(v -> !(v instanceof String))) {
      // Header values may be credentials: name the shape, never the values.
      throw new IllegalArgumentException("options.headers must be a map of header names to string values");
    }
    Map<String, String> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(String.valueOf(k), (String) v));
    return out;
  }
}
