package dev.providergateway.config;

/**
 * The {@code metrics} section: Prometheus metrics on their own HTTP port.
 *
 * @param enabled whether the endpoint is served (off by default, so a second port is only opened on
 *     request)
 * @param host the address to bind; {@code ""} means {@code server.host}
 * @param port the TCP port, 0..65535 (0 picks a free port)
 * @param path the scrape path, starting with {@code /}
 */
public record MetricsConfig(boolean enabled, String host, int port, String path) {

  public MetricsConfig {
    host = host == null ? "" : host.strip();
    Checks.range("port", port, 0, 65535);
    if (path == null || !path.startsWith("/") || path.contains(" ")) {
      throw ConfigException.at(
          "path",
          (path == null ? "nothing" : Values.quote(path))
              + " is not valid, expected an absolute path such as /metrics");
    }
  }

  /** Off; when turned on: port 9464 (the OpenTelemetry Prometheus default), path /metrics. */
  public static MetricsConfig defaults() {
    return new MetricsConfig(false, "", 9464, "/metrics");
  }
}
