package dev.providergateway.server;

import dev.providergateway.config.ServerConfig;
import dev.providergateway.provider.http.UpstreamTransport;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.netty.NettyServerBuilder;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The production Netty server as the {@code server} config section describes it: address, TLS,
 * keepalive and size limits, connection hygiene (handshake timeout, connection caps, the
 * rapid-reset limit), the event loops it shares with the upstream connections, and where handlers
 * run. Every setting goes through {@link NettyServerBuilder}'s public API.
 *
 * <p>Built once at startup. The gateway owns what it returns: it shuts down {@link #executor()}
 * (null when handlers run on the event loops) and closes {@link #closers()} (the TLS file checks
 * and the event-loop watchdog) after the server has stopped.
 *
 * @param builder the server builder, with nothing bound yet
 * @param executor the gRPC callback executor, or null for the event loops themselves
 * @param closers what to close at shutdown, in order
 * @param httpTls the HTTP door's TLS (same certificate as the gRPC port), or null without TLS
 */
record NettyServerAssembly(
    NettyServerBuilder builder,
    ExecutorService executor,
    List<Closeable> closers,
    io.netty.handler.ssl.SslContext httpTls) {
  /** How long an event loop may run one task before {@link LoopWatchdog} warns. */
  static final Duration LOOP_STALL_WARNING = Duration.ofSeconds(1);

  NettyServerAssembly {
    closers = List.copyOf(closers);
  }

  /**
   * The server for {@code s}, on {@code io}'s event loops; {@code scheduler} runs the TLS file
   * checks and the watchdog.
   */
  static NettyServerAssembly of(
      ServerConfig s, UpstreamTransport io, ScheduledExecutorService scheduler) {
    ExecutorService executor = s.servesOnEventLoops() ? null : boundedExecutor(s.executorThreads());
    List<Closeable> closers = new ArrayList<>();
    TlsCredentials.ServerTls tls =
        s.tls().enabled() ? TlsCredentials.of(s.tls(), scheduler, closers) : null;
    ServerCredentials credentials = tls != null ? tls.grpc() : InsecureServerCredentials.create();
    closers.add(new LoopWatchdog(io.eventLoopGroup(), scheduler, LOOP_STALL_WARNING));
    ServerConfig.Connections c = s.connections();
    NettyServerBuilder netty =
        NettyServerBuilder.forAddress(new InetSocketAddress(s.host(), s.port()), credentials)
            .bossEventLoopGroup(io.eventLoopGroup())
            .workerEventLoopGroup(io.eventLoopGroup())
            .channelFactory(
                new ConnectionCap(c.maxConnections(), c.maxConnectionsPerIp())
                    .channelFactory(io.serverChannelType()))
            // Covers the HTTP/2 preface and TLS: a connection that never starts is closed after it
            // (gRPC's default is 120 s, and keepalive pings kept such a connection ~80 s).
            .handshakeTimeout(c.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS)
            .keepAliveTime(s.keepaliveTime().toNanos(), TimeUnit.NANOSECONDS)
            .keepAliveTimeout(s.keepaliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
            .permitKeepAliveTime(s.permitKeepaliveTime().toNanos(), TimeUnit.NANOSECONDS)
            .permitKeepAliveWithoutCalls(true)
            .maxInboundMessageSize(s.maxInboundMessageBytes())
            .maxInboundMetadataSize(64 * 1024)
            .maxConcurrentCallsPerConnection(s.maxConcurrentCallsPerConnection());
    if (c.maxResetsPerWindow() > 0) {
      // HTTP/2 rapid reset (CVE-2023-44487): a connection resetting streams faster than this gets
      // GOAWAY ENHANCE_YOUR_CALM (NettyServerBuilder.maxRstFramesPerWindow, grpc-java 1.59+).
      netty.maxRstFramesPerWindow(
          c.maxResetsPerWindow(), Math.toIntExact(c.resetWindow().toSeconds()));
    }
    if (c.agesConnections()) {
      // Rebalancing: a client that resolved the replicas once (DNS, a headless Service) gets a
      // GOAWAY after this age, reconnects, and so spreads over replicas added since.
      netty
          .maxConnectionAge(c.maxConnectionAge().toNanos(), TimeUnit.NANOSECONDS)
          .maxConnectionAgeGrace(c.maxConnectionAgeGrace().toNanos(), TimeUnit.NANOSECONDS);
    }
    if (executor == null) {
      // The handlers run where the request was read: no hand-off and no thread wake-up per call.
      netty.directExecutor();
    } else {
      netty.executor(executor);
    }
    return new NettyServerAssembly(netty, executor, closers, tls != null ? tls.http() : null);
  }

  /**
   * The executor for gRPC callbacks when {@code server.executor_threads} asks for one (plugins that
   * block). gRPC's default is an unbounded cached pool, which under a burst creates a thread per
   * concurrent callback; a fixed pool bounds that, and overload is refused by the per-connection
   * call limit and the concurrency limits instead of queueing threads.
   */
  static ExecutorService boundedExecutor(int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          Thread t = new Thread(r, "gateway-grpc-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    return Executors.newFixedThreadPool(threads, factory);
  }
}
