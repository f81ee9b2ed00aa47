package dev.providergateway.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds the sections that run the gateway in production: {@code server.tls}, {@code auth}, {@code
 * metrics}, {@code tracing} and {@code logging}. Kept beside {@link ConfigBinder} so each file
 * holds one idea.
 */
final class OperationsBinder {

  static final List<String> TLS_KEYS =
      List.of("cert_file", "key_file", "client_ca_file", "client_auth", "refresh_interval");
  static final List<String> AUTH_KEYS = List.of("enabled", "keys", "show_upstream_hosts");
  static final List<String> KEY_KEYS =
      List.of(
          "id",
          "key_sha256",
          "providers",
          "models",
          "requests_per_minute",
          "tokens_per_minute",
          "admin",
          "budget");
  static final List<String> METRICS_KEYS = List.of("enabled", "host", "port", "path");
  static final List<String> TRACING_KEYS = List.of("otlp_endpoint", "sample_ratio", "service_name");
  static final List<String> LOGGING_KEYS = List.of("format", "level", "access_log");

  private OperationsBinder() {}

  static TlsConfig tls(Node node) {
    node.checkKeys(TLS_KEYS);
    TlsConfig d = TlsConfig.defaults();
    Path cert = path(node.get("cert_file"));
    Path key = path(node.get("key_file"));
    Path ca = path(node.get("client_ca_file"));
    TlsConfig.ClientAuth clientAuth =
        node.get("client_auth").enumValue(TlsConfig.ClientAuth.class, d.clientAuth());
    var refresh = node.get("refresh_interval").durationValue(d.refreshInterval());
    return node.build(() -> new TlsConfig(cert, key, ca, clientAuth, refresh));
  }

  static AuthConfig auth(Node node) {
    node.checkKeys(AUTH_KEYS);
    Node enabled = node.get("enabled");
    AuthConfig.Mode mode =
        enabled.isAbsent()
            ? AuthConfig.Mode.AUTO
            : enabled.booleanValue(false) ? AuthConfig.Mode.ON : AuthConfig.Mode.OFF;
    List<ApiKeyConfig> keys = new ArrayList<>();
    for (Node key : node.get("keys").elements()) {
      keys.add(key(key));
    }
    boolean showHosts = node.get("show_upstream_hosts").booleanValue(false);
    return node.build(() -> new AuthConfig(mode, keys, showHosts));
  }

  private static ApiKeyConfig key(Node node) {
    if (node.isAbsent()) {
      throw ConfigException.at(
          node.path(), "empty entry, expected a key mapping like {id: team-a, key_sha256: ...}");
    }
    node.checkKeys(KEY_KEYS);
    String id = node.get("id").stringValue(null);
    // A hash is not a secret, but a key pasted here by mistake is: never echo the value.
    Node hashNode = node.get("key_sha256");
    Secret hash = hashNode.secretValue();
    List<String> providers = node.get("providers").stringList();
    List<String> models = node.get("models").stringList();
    int rpm = node.get("requests_per_minute").intValue(0);
    int tpm = node.get("tokens_per_minute").intValue(0);
    boolean admin = node.get("admin").booleanValue(false);
    BudgetConfig budget = UsageBinder.budget(node.get("budget"));
    return node.build(
        () ->
            new ApiKeyConfig(
                id,
                hash == null ? null : hash.reveal(),
                providers,
                models,
                rpm,
                tpm,
                admin,
                budget));
  }

  static HttpConfig http(Node node) {
    node.checkKeys(List.of("enabled", "port", "max_connections"));
    HttpConfig d = HttpConfig.defaults();
    boolean enabled = node.get("enabled").booleanValue(d.enabled());
    int port = node.get("port").intValue(d.port());
    int max = node.get("max_connections").intValue(d.maxConnections());
    return node.build(() -> new HttpConfig(enabled, port, max));
  }

  static MetricsConfig metrics(Node node) {
    node.checkKeys(METRICS_KEYS);
    MetricsConfig d = MetricsConfig.defaults();
    boolean enabled = node.get("enabled").booleanValue(d.enabled());
    String host = node.get("host").stringValue(d.host());
    int port = node.get("port").intValue(d.port());
    String path = node.get("path").stringValue(d.path());
    return node.build(() -> new MetricsConfig(enabled, host, port, path));
  }

  static TracingConfig tracing(Node node) {
    node.checkKeys(TRACING_KEYS);
    TracingConfig d = TracingConfig.defaults();
    String endpoint = node.get("otlp_endpoint").stringValue(d.otlpEndpoint());
    double ratio = node.get("sample_ratio").doubleValue(d.sampleRatio());
    String serviceName = node.get("service_name").stringValue(d.serviceName());
    return node.build(() -> new TracingConfig(endpoint, ratio, serviceName));
  }

  static LoggingConfig logging(Node node) {
    node.checkKeys(LOGGING_KEYS);
    LoggingConfig d = LoggingConfig.defaults();
    var format = node.get("format").enumValue(LoggingConfig.Format.class, d.format());
    var level = node.get("level").enumValue(LoggingConfig.Level.class, d.level());
    boolean accessLog = node.get("access_log").booleanValue(d.accessLog());
    return node.build(() -> new LoggingConfig(format, level, accessLog));
  }

  private static Path path(Node node) {
    String value = node.stringValue(null);
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw ConfigException.at(
          node.path(), Values.quote(value) + " is not a valid path (" + e.getReason() + ")");
    }
  }
}
