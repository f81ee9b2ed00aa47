package dev.providergateway.config;

/**
 * The {@code http} section: the OpenAI-compatible HTTP door ({@code POST /v1/chat/completions},
 * {@code GET /v1/models}, {@code GET /healthz}), bound on {@code server.host} like the gRPC port
 * and served on the same event loops.
 *
 * @param enabled whether the door is served (on by default)
 * @param port the TCP port, 0..65535 (0 picks a free port), or {@link #FOLLOW} for the default:
 *     {@value #DEFAULT_PORT}, or a free port when {@code server.port} is 0
 * @param maxConnections open HTTP connections in all; more are closed at once (1..1000000)
 */
public record HttpConfig(boolean enabled, int port, int maxConnections) {
  /** The port used when none is configured and {@code server.port} is not 0. */
  public static final int DEFAULT_PORT = 8080;

  /** The unset port: {@value #DEFAULT_PORT}, or any free port when the gRPC port is any. */
  public static final int FOLLOW = -1;

  /** The environment variable that overrides {@code http.port}. */
  public static final String PORT_ENV = "PROVIDER_GATEWAY_HTTP_PORT";

  public HttpConfig {
    if (port != FOLLOW) {
      Checks.range("port", port, 0, 65535);
    }
    Checks.range("max_connections", maxConnections, 1, 1_000_000);
  }

  /** On, on the default port, with up to 10000 connections. */
  public static HttpConfig defaults() {
    return new HttpConfig(true, FOLLOW, 10_000);
  }

  /** The port to bind when the gRPC server is configured with {@code grpcPort}. */
  public int effectivePort(int grpcPort) {
    if (port != FOLLOW) {
      return port;
    }
    return grpcPort == 0 ? 0 : DEFAULT_PORT;
  }

  /** A copy listening on {@code newPort}. */
  public HttpConfig withPort(int newPort) {
    return new HttpConfig(enabled, newPort, maxConnections);
  }
}
