package dev.providergateway.server;

import static java.util.Objects.requireNonNull;

import dev.providergateway.api.ProviderGatewayService;
import dev.providergateway.config.GatewayConfig;
import dev.providergateway.config.ServerConfig;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.registry.RegisteredProvider;
import dev.providergateway.resilience.Resilience;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's lifecycle: it serves {@code ProviderService}, {@code grpc.health.v1.Health}
 * (overall and per service) and server reflection on a {@link ServerBuilder} it is given, so
 * tests can hand it an in-process builder and {@link #netty} builds the production one.
 *
 * <p>{@link #shutdown()} is graceful: health turns NOT_SERVING, new calls are refused, in-flight
 * calls get the configured grace period to finish, the rest are cancelled (which cancels their
 * upstream requests), and finally the providers are closed. It is idempotent and safe to call
 * from a shutdown hook.
 */
public final class GatewayServer {
  private static final System.Logger LOG = System.getLogger(GatewayServer.class.getName());

  private final Server server;
  private final HealthStatusManager health;
  private final ProviderRegistry registry;
  private final ExecutorService executor;
  private final ScheduledExecutorService scheduler;
  private final Duration grace;
  private final AtomicInteger shutdowns = new AtomicInteger();

  private GatewayServer(
      Server server,
      HealthStatusManager health,
      ProviderRegistry registry,
      ExecutorService executor,
      ScheduledExecutorService scheduler,
      Duration grace) {
    this.server = server;
    this.health = health;
    this.registry = registry;
    this.executor = executor;
    this.scheduler = scheduler;
    this.grace = grace;
  }

  /**
   * A gateway on {@code builder}, serving {@code registry}'s providers. The gateway owns the
   * registry and closes it at shutdown. {@code executor} (owned too, may be null) is shut down
   * after the server.
   */
  public static GatewayServer create(
      ServerBuilder<?> builder, GatewayConfig config, ProviderRegistry registry, Clock clock, ExecutorService executor) {
    requireNonNull(builder, "builder");
    requireNonNull(config, "config");
    HealthStatusManager health = new HealthStatusManager();
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gateway-timers");
      t.setDaemon(true);
      return t;
    });
    Resilience resilience = Resilience.of(config.resilience(), clock, scheduler);
    Server server = builder
        .addService(new ProviderGatewayService(registry, config.limits(), resilience))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .addService(legacyReflection())
        .build();
    return new GatewayServer(server, health, registry, executor, scheduler, config.server().shutdownGrace());
  }

  /** The production gateway: a Netty server configured from {@code config.server()}. */
  public static GatewayServer netty(GatewayConfig config, Map<String, String> env, Clock clock) {
    ServerConfig s = config.server();
    ProviderRegistry registry = ProviderRegistry.create(config, env, clock);
    ExecutorService executor = boundedExecutor(s.effectiveExecutorThreads());
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(s.host(), s.port()))
        .executor(executor)
        .keepAliveTime(s.keepaliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(s.keepaliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveTime(s.permitKeepaliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveWithoutCalls(true)
        .maxInboundMessageSize(s.maxInboundMessageBytes())
        .maxInboundMetadataSize(64 * 1024)
        .maxConcurrentCallsPerConnection(s.maxConcurrentCallsPerConnection());
    return create(builder, config, registry, clock, executor);
  }

  /**
   * The executor for gRPC callbacks. gRPC's default is an unbounded cached pool, which under a
   * burst creates a thread per concurrent callback. The gateway's handlers never block (upstream
   * I/O is asynchronous), so a fixed pool the size of the machine's cores keeps every core busy
   * without thread explosion; overload is refused by the per-connection call limit and the
   * concurrency limits instead of queueing threads.
   */
  static ExecutorService boundedExecutor(int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "gateway-grpc-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    return Executors.newFixedThreadPool(threads, factory);
  }

  @SuppressWarnings("deprecation")
  private static io.grpc.BindableService legacyReflection() {
    // grpcurl and older tools still ask the v1alpha reflection service first.
    return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
  }

  /** Starts serving; health reports SERVING once the port is bound. */
  public GatewayServer start() throws IOException {
    server.start();
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(ProviderServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    return this;
  }

  /** The bound port (useful when configured as 0). */
  public int port() {
    return server.getPort();
  }

  /** The registry names of the served providers, sorted. */
  public List<String> providerNames() {
    return registry.all().stream().map(RegisteredProvider::name).toList();
  }

  /** Shuts down gracefully (see the class comment); blocks up to the grace period. */
  public void shutdown() {
    if (shutdowns.getAndIncrement() != 0) {
      awaitTermination();
      return;
    }
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) {
        LOG.log(System.Logger.Level.WARNING, "grace period of {0} over; cancelling remaining calls", grace);
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      registry.close();
      scheduler.shutdownNow();
      if (executor != null) {
        executor.shutdown();
      }
    }
  }

  /** Blocks until the server has terminated. */
  public void awaitTermination() {
    try {
      server.awaitTermination();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
