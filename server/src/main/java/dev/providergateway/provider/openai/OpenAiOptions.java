package dev.providergateway.provider.openai;

import dev.providergateway.provider.openai.OpenAiPreset.Kind;
import dev.providergateway.provider.openai.OpenAiPreset.Trait;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code options} of an OpenAI-family config entry, validated. Messages name the option and
 * what was expected, never a header value (custom headers often carry credentials).
 *
 * @param headers {@code options.headers}: extra request headers
 * @param streamUsage {@code options.stream_usage}: ask streams for usage with {@code
 *     stream_options.include_usage} (default true, false for servers that reject it)
 * @param apiVersion {@code options.api_version}: the Azure {@code api-version}, or null
 */
record OpenAiOptions(Map<String, String> headers, boolean streamUsage, String apiVersion) {
  private static final String HEADERS = "headers";
  private static final String STREAM_USAGE = "stream_usage";
  private static final String API_VERSION = "api_version";
  // Set by UpstreamHttp on every request; a second value would be ambiguous upstream.
  private static final Set<String> RESERVED = Set.of("content-type", "accept", "x-request-id");

  OpenAiOptions {
    headers = Map.copyOf(headers);
  }

  static OpenAiOptions parse(Map<String, Object> options, OpenAiPreset preset) {
    List<String> allowed = preset.kind() == Kind.AZURE
        ? List.of(HEADERS, STREAM_USAGE, API_VERSION) : List.of(HEADERS, STREAM_USAGE);
    for (String key : new TreeMap<>(options).keySet()) {
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException("options." + key + ": unknown option for type '" + preset.name()
            + "'; expected one of " + String.join(", ", allowed));
      }
    }
    Object usage = options.getOrDefault(STREAM_USAGE, !preset.has(Trait.NO_STREAM_OPTIONS));
    if (!(usage instanceof Boolean)) {
      throw new IllegalArgumentException("options." + STREAM_USAGE + ": expected true or false, was " + usage);
    }
    Object version = options.get(API_VERSION);
    if (version != null && !(version instanceof String s && s.matches("\\d{4}-\\d{2}-\\d{2}(-preview)?"))) {
      throw new IllegalArgumentException("options." + API_VERSION + ": expected a version such as "
          + OpenAiFamilyFactory.AZURE_API_VERSION + ", was " + version);
    }
    return new OpenAiOptions(headers(options.get(HEADERS)), (Boolean) usage, (String) version);
  }

  /** Rejects a header that would duplicate or contradict the credential header. */
  void checkHeadersAgainstCredential(boolean hasApiKey, boolean azure) {
    String credential = azure ? "api-key" : "authorization";
    for (String name : headers.keySet()) {
      if (hasApiKey && name.equalsIgnoreCase(credential)) {
        throw new IllegalArgumentException("options.headers." + name + ": conflicts with api_key, which is sent as "
            + credential + "; set one of them");
      }
    }
  }

  private static Map<String, String> headers(Object value) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("options.headers: expected a map of header names to values");
    }
    Map<String, String> headers = new TreeMap<>();
    map.forEach((k, v) -> {
      String name = String.valueOf(k);
      if (!(v instanceof String text)) {
        throw new IllegalArgumentException("options.headers." + name + ": expected a string value");
      }
      if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("options.headers." + name + ": the gateway sets this header itself");
      }
      try {
        // The JDK client rejects restricted (Host, Connection, ...) and malformed headers only
        // when a request is built; checking here turns that into a startup error.
        HttpRequest.newBuilder(URI.create("http://localhost/")).header(name, text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("options.headers." + name
            + ": not a header the HTTP client can send (malformed, or restricted such as Host or Connection)");
      }
      headers.put(name, text);
    });
    return headers;
  }
}
