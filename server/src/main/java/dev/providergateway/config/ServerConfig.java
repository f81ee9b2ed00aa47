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
 * @param connections how many connections are accepted and how long one may take to start
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
    TlsConfig tls,
    Connections connections) {

  // Loopback, so a zero-config gateway (auth off) is reachable from this machine only.
  static final String DEFAULT_HOST = "127.0.0.1";
  static final int DEFAULT_PORT = 50051;

  public ServerConfig {
    Checks.notBlank("host", host, "a host name or IP address");
    Checks.range("port", port, 0, 65535);
    Checks.range("executor_threads", executorThreads, 0, 1024);
    Checks.range("io_threads", ioThreads, 0, 256);
    Checks.positive("keepalive_time", requireNonNull(keepaliveTime, "keepaliveTime"));
    Checks.atMost("keepalive_time", keepaliveTime, Checks.DAY);
    Checks.positive("keepalive_timeout", requireNonNull(keepaliveTimeout, "keepaliveTimeout"));
    Checks.atMost("keepalive_timeout", keepaliveTimeout, Checks.HOUR);
    Checks.positive(
        "permit_keepalive_time", requireNonNull(permitKeepaliveTime, "permitKeepaliveTime"));
    Checks.atMost("permit_keepalive_time", permitKeepaliveTime, Checks.DAY);
    Checks.range("max_inbound_message_bytes", maxInboundMessageBytes, Checks.KIB, Checks.GIB);
    Checks.range(
        "max_concurrent_calls_per_connection", maxConcurrentCallsPerConnection, 1, 1_000_000);
    Checks.notNegative("shutdown_grace", requireNonNull(shutdownGrace, "shutdownGrace"));
    Checks.atMost("shutdown_grace", shutdownGrace, Checks.HOUR);
    requireNonNull(tls, "tls");
    requireNonNull(connections, "connections");
  }

  /** The settings above with {@link Connections#defaults()}. */
  public ServerConfig(
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
    this(
        host,
        port,
        executorThreads,
        ioThreads,
        keepaliveTime,
        keepaliveTimeout,
        permitKeepaliveTime,
        maxInboundMessageBytes,
        maxConcurrentCallsPerConnection,
        shutdownGrace,
        tls,
        Connections.defaults());
  }

  /**
   * Connection hygiene: what a client that is not a well-behaved gRPC client may cost.
   *
   * @param handshakeTimeout how long a new connection may take to complete its HTTP/2 (and TLS)
   *     handshake before it is closed, 1ms..5m; a connection that never sends the HTTP/2 preface is
   *     closed after it
   * @param maxConnections open connections accepted in all, 1..1,000,000; more are closed at once
   * @param maxConnectionsPerIp open connections accepted from one client address, 0..1,000,000 (0:
   *     no per-address cap; behind a load balancer every client has its address)
   * @param maxResetsPerWindow RST_STREAM frames a connection may send per {@code resetWindow}
   *     before it gets a GOAWAY (the HTTP/2 rapid-reset attack), 0..1,000,000 (0: no limit)
   * @param resetWindow the window for {@code maxResetsPerWindow}, 1s..1h, whole seconds
   * @param maxConnectionAge how long a client connection may live before the server sends it a
   *     GOAWAY, so clients reconnect and spread over new replicas; {@link Duration#ZERO} (the
   *     default) for no limit, else 1s..7d (gRPC adds up to 10% jitter)
   * @param maxConnectionAgeGrace how long calls still open on a connection past its age may run
   *     before it is closed; 0..1h
   */
  public record Connections(
      Duration handshakeTimeout,
      int maxConnections,
      int maxConnectionsPerIp,
      int maxResetsPerWindow,
      Duration resetWindow,
      Duration maxConnectionAge,
      Duration maxConnectionAgeGrace) {

    /** The settings above with no connection age limit. */
    public Connections(
        Duration handshakeTimeout,
        int maxConnections,
        int maxConnectionsPerIp,
        int maxResetsPerWindow,
        Duration resetWindow) {
      this(
          handshakeTimeout,
          maxConnections,
          maxConnectionsPerIp,
          maxResetsPerWindow,
          resetWindow,
          Duration.ZERO,
          Duration.ofSeconds(30));
    }

    public Connections {
      requireNonNull(handshakeTimeout, "handshakeTimeout");
      Checks.positive("handshake_timeout", handshakeTimeout);
      Checks.atMost("handshake_timeout", handshakeTimeout, Duration.ofMinutes(5));
      Checks.range("max_connections", maxConnections, 1, 1_000_000);
      Checks.range("max_connections_per_ip", maxConnectionsPerIp, 0, 1_000_000);
      Checks.range("max_resets_per_window", maxResetsPerWindow, 0, 1_000_000);
      requireNonNull(resetWindow, "resetWindow");
      if (resetWindow.compareTo(Duration.ofSeconds(1)) < 0
          || resetWindow.compareTo(Duration.ofHours(1)) > 0
          || resetWindow.toMillis() % 1000 != 0) {
        throw ConfigException.at(
            "reset_window",
            Durations.format(resetWindow) + " is out of range, expected whole seconds in 1s..1h");
      }
      requireNonNull(maxConnectionAge, "maxConnectionAge");
      if (!maxConnectionAge.isZero()
          && (maxConnectionAge.compareTo(Duration.ofSeconds(1)) < 0
              || maxConnectionAge.compareTo(Duration.ofDays(7)) > 0)) {
        throw ConfigException.at(
            "max_connection_age",
            Durations.format(maxConnectionAge)
                + " is out of range, expected 0 (no limit) or 1s..7d");
      }
      requireNonNull(maxConnectionAgeGrace, "maxConnectionAgeGrace");
      Checks.notNegative("max_connection_age_grace", maxConnectionAgeGrace);
      Checks.atMost("max_connection_age_grace", maxConnectionAgeGrace, Checks.HOUR);
    }

    /** Whether connections are closed after {@link #maxConnectionAge()}. */
    public boolean agesConnections() {
      return !maxConnectionAge.isZero();
    }

    /** 10 s handshakes, 10,000 connections, no per-address cap, 1000 resets per 10 s. */
    public static Connections defaults() {
      return new Connections(Duration.ofSeconds(10), 10_000, 0, 1000, Duration.ofSeconds(10));
    }
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
        tls,
        connections);
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
