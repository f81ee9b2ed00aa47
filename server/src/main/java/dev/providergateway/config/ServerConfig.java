package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The {@code server} section: where the gRPC server listens and how it treats connections.
 *
 * @param host the address to bind: {@code 127.0.0.1} by default (this machine only), {@code
 *     0.0.0.0} for all interfaces
 * @param port the TCP port, 0..65535; 0 picks a free port (used by tests)
 * @param executorThreads 0 (the default) serves calls on the network event loops, where the
 *     upstream requests run too (every built-in handler is non-blocking); 1..1024 runs call
 *     handlers on a fixed pool of that many threads instead, for plugins that block
 * @param ioThreads the network event loops that serve gRPC and carry every upstream connection: 0
 *     (the default) for one per CPU the JVM sees, else 1..256
 * @param keepaliveTime how long a connection may be idle before the server pings it
 * @param keepaliveTimeout how long the server waits for a ping's answer before closing
 * @param permitKeepaliveTime the most frequent client pings the server tolerates
 * @param maxInboundMessageBytes the largest gRPC message accepted, 1 KiB..1 GiB
 * @param maxConcurrentCallsPerConnection open calls allowed on one connection, 1..1,000,000
 * @param shutdownGrace how long in-flight calls get to finish on shutdown; may be 0
 * @param tls TLS and mutual TLS on the port (plaintext by default)
 */
public record ServerConfig(
    String host,
    int port,
    int executorThreads,
    int ioThreads,
    Duration keepaliveTime,
    Duration keepaliveTimeout,
    Duration permitKeepaliveTime,
    int maxInboundMessageBytes,
    int maxConcurrentCallsPerConnection,
    Duration shutdownGrace,
    TlsConfig tls) {

  // Loopback, so a zero-config gateway (auth off) is reachable from this machine only.
  static final String DEFAULT_HOST = "127.0.0.1";
  static final int DEFAULT_PORT = 50051;

  public ServerConfig {
    Checks.notBlank("host", host, "a host name or IP address");
    Checks.range("port", port, 0, 65535);
    Checks.range("executor_threads", executorThreads, 0, 1024);
    Checks.range("io_threads", ioThreads, 0, 256);
    Checks.positive("keepalive_time", requireNonNull(keepaliveTime, "keepaliveTime"));
    Checks.positive("keepalive_timeout", requireNonNull(keepaliveTimeout, "keepaliveTimeout"));
    Checks.positive(
        "permit_keepalive_time", requireNonNull(permitKeepaliveTime, "permitKeepaliveTime"));
    Checks.range("max_inbound_message_bytes", maxInboundMessageBytes, Checks.KIB, Checks.GIB);
    Checks.range(
        "max_concurrent_calls_per_connection", maxConcurrentCallsPerConnection, 1, 1_000_000);
    Checks.notNegative("shutdown_grace", requireNonNull(shutdownGrace, "shutdownGrace"));
    requireNonNull(tls, "tls");
  }

  /**
   * Every default: {@code 127.0.0.1:50051}, plaintext, 60s/20s/10s keepalive, 16 MiB messages, 20s
   * grace.
   */
  public static ServerConfig defaults() {
    return new ServerConfig(
        DEFAULT_HOST,
        DEFAULT_PORT,
        0,
        0,
        Duration.ofSeconds(60),
        Duration.ofSeconds(20),
        Duration.ofSeconds(10),
        16 * 1024 * 1024,
        1000,
        Duration.ofSeconds(20),
        TlsConfig.defaults());
  }

  /** A copy listening on {@code newPort} instead. */
  public ServerConfig withPort(int newPort) {
    return new ServerConfig(
        host,
        newPort,
        executorThreads,
        ioThreads,
        keepaliveTime,
        keepaliveTimeout,
        permitKeepaliveTime,
        maxInboundMessageBytes,
        maxConcurrentCallsPerConnection,
        shutdownGrace,
        tls);
  }

  /**
   * Whether {@link #host()} is a loopback address (checked without DNS: names other than localhost
   * are not).
   */
  public boolean loopback() {
    return Hosts.isLoopback(host);
  }

  /** True when call handlers run on the network event loops (no separate callback pool). */
  public boolean servesOnEventLoops() {
    return executorThreads == 0;
  }
}
