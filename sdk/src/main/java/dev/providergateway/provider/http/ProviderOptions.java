package dev.providergateway.provider.http;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.ProviderSettings;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * What every HTTP provider factory reads from its {@link ProviderSettings}, checked once the same
 * way: option names (a misspelt option is an error, not a silent default), the base URL with its
 * environment fallback and one normalisation, extra request headers, the default model and the
 * default timeouts. Errors are {@link IllegalArgumentException}s that name the key, the bad value
 * and what was expected; they never quote a header value or the API key, which may be secrets.
 *
 * <p>A factory creates one in {@link dev.providergateway.provider.ProviderFactory#create}, reads
 * its provider's own options through the typed getters, and hands it to its {@link HttpProvider}.
 * Immutable and thread-safe.
 */
public final class ProviderOptions {
  /** The longest a TCP/TLS connect to an upstream may take. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The longest wait for response headers when the caller set no deadline: generous, since a cold
   * model may load first and a non-streamed answer arrives whole.
   */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(10);

  /** The option every HTTP provider takes: extra request headers. */
  public static final String HEADERS = "headers";

  // Set by UpstreamHttp (or by the connection) on every request: a second value would be
  // ambiguous upstream or break the framing.
  private static final Set<String> RESERVED_HEADERS =
      Set.of(
          "content-type",
          "accept",
          "x-request-id",
          "host",
          "content-length",
          "connection",
          "transfer-encoding",
          "keep-alive",
          "upgrade",
          "te",
          "trailer");

  private final ProviderSettings settings;
  private final Map<String, String> headers;
  private final Duration connectTimeout;
  private final Duration requestTimeout;

  private ProviderOptions(
      ProviderSettings settings,
      Map<String, String> headers,
      Duration connectTimeout,
      Duration requestTimeout) {
    this.settings = settings;
    this.headers = headers;
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
  }

  /**
   * Checks {@code settings.options()} against {@code known} (plus {@value #HEADERS}, which every
   * HTTP provider takes) and validates the headers.
   *
   * @throws IllegalArgumentException naming the first unknown option and the expected ones
   */
  public static ProviderOptions of(ProviderSettings settings, String... known) {
    requireNonNull(settings, "settings");
    Set<String> allowed = new TreeSet<>(List.of(known));
    allowed.add(HEADERS);
    for (String key : new TreeSet<>(settings.options().keySet())) {
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException(
            "options."
                + key
                + ": unknown option for type '"
                + settings.type()
                + "'; expected one of "
                + String.join(", ", allowed));
      }
    }
    return new ProviderOptions(
        settings,
        headers(settings.options().get(HEADERS)),
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_REQUEST_TIMEOUT);
  }

  /** These options with another wait for response headers when the caller set no deadline. */
  public ProviderOptions withRequestTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("request timeout must be positive, was " + timeout);
    }
    return new ProviderOptions(settings, headers, connectTimeout, timeout);
  }

  /** The settings these options were read from. */
  public ProviderSettings settings() {
    return settings;
  }

  /** The instance's registry name. */
  public String name() {
    return settings.name();
  }

  /** The factory type, for messages. */
  public String type() {
    return settings.type();
  }

  /** The configured credential, or null; never log it. */
  public String apiKey() {
    return settings.apiKey();
  }

  /** The configured default model, else {@code fallback}. */
  public String defaultModel(String fallback) {
    return settings.defaultModel() != null
        ? settings.defaultModel()
        : requireNonNull(fallback, "fallback");
  }

  /** The raw value of option {@code key} (a plain Java value from YAML), or null when unset. */
  public Object option(String key) {
    return settings.options().get(key);
  }

  /** Option {@code key} as a string, or {@code fallback} when unset. */
  public String string(String key, String fallback) {
    Object value = option(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof String text) {
      return text.strip();
    }
    throw new IllegalArgumentException(
        "options." + key + ": expected a string, was " + describe(value));
  }

  /** Option {@code key} as true or false, or {@code fallback} when unset. */
  public boolean flag(String key, boolean fallback) {
    Object value = option(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException(
        "options." + key + ": expected true or false, was " + describe(value));
  }

  /**
   * Option {@code key} as a whole number from {@code min} to {@code max}, or {@code fallback} when
   * unset.
   */
  public int integer(String key, int min, int max, int fallback) {
    Object value = option(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Number n
        && n.doubleValue() == Math.rint(n.doubleValue())
        && n.longValue() >= min
        && n.longValue() <= max) {
      return n.intValue();
    }
    throw new IllegalArgumentException(
        "options."
            + key
            + ": expected a whole number from "
            + min
            + " to "
            + max
            + ", was "
            + describe(value));
  }

  /**
   * Option {@code key} as a map with string keys and non-null values, or an empty map when unset.
   */
  @SuppressWarnings("unchecked")
  public Map<String, Object> map(String key, String example) {
    Object value = option(key);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map)
        || map.keySet().stream().anyMatch(k -> !(k instanceof String))
        || map.values().stream().anyMatch(v -> v == null)) {
      throw new IllegalArgumentException(
          "options." + key + ": expected a map such as " + example + ", was " + describe(value));
    }
    return Map.copyOf((Map<String, Object>) map);
  }

  /**
   * The extra request headers of option {@value #HEADERS}; values may be secrets, never log them.
   */
  public Map<String, String> headers() {
    return headers;
  }

  /** The connect timeout. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** The longest wait for response headers when the caller set no deadline. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /**
   * The upstream base URL: the entry's {@code base_url}, else the environment variable {@code
   * envVar} (null for none), else {@code fallback} (null when there is no default: the URL is then
   * required). Normalised one way for every provider: surrounding blanks and trailing slashes are
   * dropped, and it must be an absolute http or https URL with a host.
   */
  public URI baseUrl(String envVar, String fallback) {
    return baseUrl(envVar, UnaryOperator.identity(), fallback);
  }

  /**
   * As {@link #baseUrl(String, String)}, with {@code fromEnv} turning the environment variable's
   * value into a URL first (for variables that take a shorter form, such as {@code host:port}).
   */
  public URI baseUrl(String envVar, UnaryOperator<String> fromEnv, String fallback) {
    String configured = blankToNull(settings.baseUrl());
    String env = envVar == null ? null : blankToNull(settings.env().get(envVar));
    String value = configured != null ? configured : env != null ? fromEnv.apply(env) : fallback;
    String source =
        configured != null || envVar == null ? "base_url" : "base_url (from " + envVar + ")";
    if (value == null) {
      throw new IllegalArgumentException(
          "base_url is required for type '"
              + type()
              + "'"
              + (envVar == null ? "" : "; set it, or set " + envVar));
    }
    String example = fallback != null ? fallback : "https://api.example.com";
    return parseUrl(value, source, example);
  }

  /** The client for this provider's upstream requests, on the gateway's transport. */
  public UpstreamHttp upstreamHttp(UnaryOperator<Throwable> refine) {
    UpstreamTransport transport = settings.transport();
    if (transport == null) {
      throw new IllegalStateException(
          "the settings of provider '"
              + name()
              + "' carry no transport: the gateway"
              + " sets it; elsewhere use ProviderSettings.builder(...).transport(UpstreamTransport.create(...))");
    }
    return new UpstreamHttp(transport, connectTimeout, requestTimeout, settings.clock(), refine);
  }

  /**
   * Checks an absolute http(s) URL with a host, without trailing slashes; {@code source} names it
   * in errors.
   */
  static URI parseUrl(String value, String source, String example) {
    String trimmed = value.strip().replaceAll("/+$", "");
    String invalid =
        source + " '" + trimmed + "' is not an absolute http or https URL such as " + example;
    try {
      URI uri = new URI(trimmed);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
        throw new IllegalArgumentException(invalid);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(invalid, e);
    }
  }

  private static Map<String, String> headers(Object value) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(
          "options.headers: expected a map of header names to string values");
    }
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    // Netty validates names and values as it would when sending: a malformed header is a startup
    // error here rather than a failed request later.
    HttpHeaders check = DefaultHttpHeadersFactory.headersFactory().newHeaders();
    map.forEach(
        (k, v) -> {
          String name = String.valueOf(k);
          if (!(v instanceof String text)) {
            throw new IllegalArgumentException(
                "options.headers." + name + ": expected a string value");
          }
          if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(
                "options.headers." + name + ": the gateway sets this header itself");
          }
          try {
            check.set(name, text);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "options.headers." + name + ": not a valid HTTP header name or value");
          }
          if (headers.put(name, text) != null) {
            throw new IllegalArgumentException(
                "options.headers." + name + ": given twice (header names ignore case)");
          }
        });
    return Map.copyOf(headers);
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  /** A value for an error message: its type, and the value itself only when short. */
  private static String describe(Object value) {
    String text = String.valueOf(value);
    return text.length() <= 80
        ? text
        : value.getClass().getSimpleName() + " of " + text.length() + " characters";
  }
}
