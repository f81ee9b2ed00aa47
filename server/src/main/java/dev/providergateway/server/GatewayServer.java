package dev.providergateway.server;

import static java.util.Objects.requireNonNull;

import dev.providergateway.config.GatewayConfig;
import dev.providergateway.observability.MetricsHttpServer;
import dev.providergateway.observability.StreamOutcome;
import dev.providergateway.observability.Telemetry;
import dev.providergateway.openai.OpenAiDoor;
import dev.providergateway.provider.http.UpstreamTransport;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.registry.RegisteredProvider;
import dev.providergateway.state.RedisState;
import dev.providergateway.state.SharedState;
import dev.providergateway.usage.BudgetLedger;
import dev.providergateway.usage.LocalBudgetLedger;
import dev.providergateway.usage.SharedBudgetLedger;
import dev.providergateway.usage.UsageBook;
import dev.providergateway.usage.UsageStore;
import dev.providergateway.v1.AdminServiceGrpc;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The gateway's lifecycle: it serves {@code ProviderService}, {@code grpc.health.v1.Health}
 * (overall and per service) and server reflection on a {@link ServerBuilder} it is given, so tests
 * can hand it an in-process builder and {@link #netty} builds the production one.
 *
 * <p>{@link #reload} builds the next generation (registry, auth, rate limits) from a new config and
 * swaps it in atomically (see {@link ConfigGenerations}); running calls finish on the generation
 * they started on, whose providers are closed once its last call ends (at most {@code
 * shutdown_grace} later). Settings that are bound at startup (the {@code server} section, {@code
 * metrics}, {@code tracing}, {@code logging}) keep their running values; a reload that changes them
 * logs that a restart is needed. {@link NettyServerAssembly} builds the production server.
 *
 * <p>{@link #shutdown()} is graceful: health turns NOT_SERVING, new calls are refused, in-flight
 * calls get the configured grace period to finish, the rest are cancelled (which cancels their
 * upstream requests), and finally the providers are closed. It is idempotent and safe to call from
 * a shutdown hook.
 */
public final class GatewayServer {
  private static final System.Logger LOG = System.getLogger(GatewayServer.class.getName());

  private final Server server;
  private final HealthStatusManager health;
  private final ConfigGenerations generations;
  private final Telemetry telemetry;
  private final ExecutorService executor;
  private final ScheduledExecutorService scheduler;
  private final List<Closeable> closers;
  private final AtomicInteger shutdowns = new AtomicInteger();
  private final UpstreamTransport transport;
  private final boolean httpDoor;
  private final io.netty.handler.ssl.SslContext httpTls;
  private final Clock clock;
  private MetricsHttpServer metricsServer;
  private volatile OpenAiDoor door;

  private GatewayServer(
      Builder b, Server server, HealthStatusManager health, ConfigGenerations generations) {
    this.server = server;
    this.health = health;
    this.generations = generations;
    this.telemetry = b.telemetry;
    this.executor = b.executor;
    this.scheduler = b.scheduler;
    this.closers = List.copyOf(b.closers);
    this.transport = b.transport;
    this.httpDoor = b.httpDoor;
    this.httpTls = b.httpTls;
    this.clock = b.clock;
  }

  /**
   * A gateway on {@code builder}, serving {@code registry}'s providers. The gateway owns the
   * registry and closes it at shutdown. {@code executor} (owned too, may be null) is shut down
   * after the server. Telemetry is built from {@code config}; reloads build registries without
   * environment variables.
   */
  public static GatewayServer create(
      ServerBuilder<?> builder,
      GatewayConfig config,
      ProviderRegistry registry,
      Clock clock,
      ExecutorService executor) {
    return builder(builder, config, clock).registry(registry).executor(executor).build();
  }

  /** The production gateway: a Netty server configured from {@code config.server()}. */
  public static GatewayServer netty(GatewayConfig config, Map<String, String> env, Clock clock) {
    return nettyBuilder(config, env, clock).build();
  }

  /**
   * A builder for the production gateway, for callers that set more (such as the telemetry); {@link
   * Builder#build()} binds nothing until {@link #start()}.
   */
  public static Builder nettyBuilder(GatewayConfig config, Map<String, String> env, Clock clock) {
    ScheduledExecutorService scheduler = newScheduler();
    // gRPC is served on the same event loops as the upstream connections (see UpstreamTransport).
    UpstreamTransport io = UpstreamTransport.create(config.server().ioThreads(), false);
    NettyServerAssembly netty = NettyServerAssembly.of(config.server(), io, scheduler);
    Builder b = builder(netty.builder(), config, clock);
    // The door serves the gRPC port's certificate (and its renewals) when server.tls is set.
    b.httpTls = netty.httpTls();
    return b.transport(io)
        .executor(netty.executor())
        .scheduler(scheduler)
        .closeAtShutdown(netty.closers())
        // Last: the event loops outlive everything that may still run on them.
        .closeAtShutdown(List.<Closeable>of(io::close))
        .env(env)
        .httpDoor(true);
  }

  /** A builder on {@code serverBuilder}; see {@link Builder}. */
  public static Builder builder(ServerBuilder<?> serverBuilder, GatewayConfig config, Clock clock) {
    return new Builder(serverBuilder, config, clock);
  }

  /** Collects what a gateway is built from; every setting but the three given has a default. */
  public static final class Builder {
    private final ServerBuilder<?> serverBuilder;
    private final GatewayConfig config;
    private final Clock clock;
    private ProviderRegistry registry;
    private Function<GatewayConfig, ProviderRegistry> registries;
    private Map<String, String> env = Map.of();
    private UpstreamTransport transport;
    private ExecutorService executor;
    private ScheduledExecutorService scheduler;
    private Telemetry telemetry;
    private SharedState shared;
    private boolean httpDoor;
    private io.netty.handler.ssl.SslContext httpTls;
    private BudgetLedger budgetLedger;
    private final List<Closeable> closers = new ArrayList<>();

    private Builder(ServerBuilder<?> serverBuilder, GatewayConfig config, Clock clock) {
      this.serverBuilder = requireNonNull(serverBuilder, "serverBuilder");
      this.config = requireNonNull(config, "config");
      this.clock = requireNonNull(clock, "clock");
    }

    /** The first generation's registry (default: built from the config). */
    public Builder registry(ProviderRegistry registry) {
      this.registry = registry;
      return this;
    }

    /** The environment registries are built with, now and on reload. */
    public Builder env(Map<String, String> env) {
      this.env = requireNonNull(env, "env");
      return this;
    }

    /**
     * The event loops that providers send upstream requests on (default: a transport of one loop
     * per CPU that the gateway creates, and closes at shutdown).
     */
    public Builder transport(UpstreamTransport transport) {
      this.transport = requireNonNull(transport, "transport");
      return this;
    }

    /** The gRPC callback executor, owned by the gateway (may be null). */
    public Builder executor(ExecutorService executor) {
      this.executor = executor;
      return this;
    }

    /**
     * The timer thread for deadlines, retirements and file checks (default: a new one), owned by
     * the gateway.
     */
    Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /** Resources the gateway closes, in order, after the server has stopped. */
    Builder closeAtShutdown(List<Closeable> resources) {
      closers.addAll(resources);
      return this;
    }

    /**
     * Whether {@link GatewayServer#start()} also binds the OpenAI-compatible HTTP door when the
     * config's {@code http.enabled} says so (default: false; the production gateway sets it).
     */
    public Builder httpDoor(boolean on) {
      this.httpDoor = on;
      return this;
    }

    /** The telemetry (default: as the config says), owned by the gateway. */
    public Builder telemetry(Telemetry telemetry) {
      this.telemetry = telemetry;
      return this;
    }

    /**
     * The state shared with other replicas (default: as {@code config.state()} says: Redis when
     * {@code state.redis_url} is set, else this process's own), owned by the gateway.
     */
    public Builder sharedState(SharedState shared) {
      this.shared = requireNonNull(shared, "shared");
      return this;
    }

    /**
     * Where key budgets are counted (default: the shared state's period counters, so budgets hold
     * across replicas when {@code state.redis_url} is set).
     */
    public Builder budgetLedger(BudgetLedger ledger) {
      this.budgetLedger = requireNonNull(ledger, "ledger");
      return this;
    }

    /**
     * The gateway; nothing is bound until {@link GatewayServer#start()}.
     *
     * @throws IllegalStateException when the shared state store is unreachable under {@code
     *     state.fail_closed}
     */
    public GatewayServer build() {
      if (telemetry == null) {
        telemetry = Telemetry.create(config.metrics(), config.tracing(), config.logging(), null);
      }
      if (shared == null) {
        shared =
            config.state().shared()
                ? RedisState.open(config.state(), clock)
                : SharedState.local(clock);
      }
      SharedState state = shared;
      // After the server and the generations: calls still draining may charge their tokens.
      closers.add(state::close);
      telemetry.sharedState(state.shared(), state::up);
      if (scheduler == null) {
        scheduler = newScheduler();
      }
      if (transport == null) {
        UpstreamTransport own = UpstreamTransport.create(0, false);
        closers.add(own::close);
        transport = own;
      }
      UpstreamTransport io = transport;
      Map<String, String> environment = env;
      registries = c -> ProviderRegistry.create(c, environment, clock, io);
      ProviderRegistry first = registry != null ? registry : registries.apply(config);
      UsageStore usage =
          new UsageStore(
              budgetLedger != null
                  ? budgetLedger
                  : state.shared()
                      ? new SharedBudgetLedger(state.counters())
                      : new LocalBudgetLedger(clock),
              new UsageBook());
      ConfigGenerations generations =
          new ConfigGenerations(
              config, first, registries, clock, scheduler, telemetry, state, usage);
      HealthStatusManager health = new HealthStatusManager();
      Server server =
          serverBuilder
              .fallbackHandlerRegistry(generations.handlers())
              .addStreamTracerFactory(StreamOutcome.tracers())
              .addService(ErrorDetailTypes.addTo(health.getHealthService().bindService()))
              .addService(ProtoReflectionServiceV1.newInstance())
              .addService(legacyReflection())
              .build();
      return new GatewayServer(this, server, health, generations);
    }
  }

  private static ScheduledExecutorService newScheduler() {
    ScheduledThreadPoolExecutor scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "gateway-timers");
              t.setDaemon(true);
              return t;
            });
    // Watchdog and deadline timers are mostly cancelled long before they are due; drop them at
    // once instead of keeping them queued until then.
    scheduler.setRemoveOnCancelPolicy(true);
    return scheduler;
  }

  @SuppressWarnings("deprecation")
  private static io.grpc.BindableService legacyReflection() {
    // grpcurl and older tools still ask the v1alpha reflection service first.
    return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
  }

  /** Starts serving (and the metrics endpoint, if enabled); health reports SERVING once bound. */
  public GatewayServer start() throws IOException {
    server.start();
    GatewayConfig config = generations.current().config;
    if (config.metrics().enabled()) {
      String host =
          config.metrics().host().isEmpty() ? config.server().host() : config.metrics().host();
      try {
        metricsServer =
            MetricsHttpServer.start(
                telemetry, host, config.metrics().port(), config.metrics().path());
      } catch (IOException e) {
        server.shutdownNow();
        throw new IOException(
            "metrics endpoint " + host + ":" + config.metrics().port() + ": " + e.getMessage(), e);
      }
    }
    if (httpDoor && config.http().enabled()) {
      try {
        door =
            OpenAiDoor.bind(
                new OpenAiDoor.Settings(
                    config.server().host(),
                    config.http().effectivePort(config.server().port()),
                    config.limits().maxRequestBytes(),
                    config.http().maxConnections(),
                    transport.eventLoopGroup(),
                    transport.serverChannelType(),
                    () -> generations.current().door,
                    telemetry,
                    clock,
                    () -> shutdowns.get() == 0,
                    httpTls));
      } catch (IOException e) {
        server.shutdownNow();
        if (metricsServer != null) {
          metricsServer.close();
        }
        throw e;
      }
    }
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(ProviderServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    health.setStatus(AdminServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    return this;
  }

  /** The OpenAI-compatible HTTP door's bound port, or -1 when it is off. */
  public int httpPort() {
    OpenAiDoor d = door;
    return d == null ? -1 : d.port();
  }

  /** The bound port (useful when configured as 0). */
  public int port() {
    return server.getPort();
  }

  /** The metrics endpoint's bound port, or -1 when metrics are off. */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.port();
  }

  /** The registry names of the served providers, sorted. */
  public List<String> providerNames() {
    return generations.current().registry.all().stream().map(RegisteredProvider::name).toList();
  }

  /** The config now served (after reloads, with the startup-bound sections kept). */
  public GatewayConfig config() {
    return generations.current().config;
  }

  /** The gateway's telemetry. */
  public Telemetry telemetry() {
    return telemetry;
  }

  /**
   * Serves {@code next} from now on: builds its registry (a failure throws and changes nothing),
   * swaps the new generation in, and retires the old one. Sections bound at startup keep their
   * running values; a warning names those that changed.
   *
   * @throws IllegalStateException if a provider cannot be created or a route is invalid
   */
  public void reload(GatewayConfig next) {
    generations.reload(next);
  }

  /** Shuts down gracefully (see the class comment); blocks up to the grace period. */
  public void shutdown() {
    if (shutdowns.getAndIncrement() != 0) {
      awaitTermination();
      return;
    }
    Duration grace = generations.stop();
    long deadline = System.nanoTime() + grace.toNanos();
    health.enterTerminalState();
    if (door != null) {
      // No new HTTP connections or requests (503); running calls go on within the same grace.
      door.drain();
    }
    server.shutdown();
    try {
      if (!server.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) {
        LOG.log(
            System.Logger.Level.WARNING,
            "grace period of {0} over; cancelling remaining calls",
            grace);
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
      if (door != null) {
        if (!door.awaitCalls(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
          LOG.log(
              System.Logger.Level.WARNING,
              "grace period of {0} over; cancelling {1} remaining HTTP call(s)",
              grace,
              door.callsInFlight());
        }
        door.close();
      }
      // A call's status reaches its client a moment before its access line is written: give the
      // last lines of the drain that moment (bounded) before the log is closed.
      telemetry.awaitRecorded(Duration.ofSeconds(2));
    } catch (InterruptedException e) {
      server.shutdownNow();
      if (door != null) {
        door.close();
      }
      Thread.currentThread().interrupt();
    } finally {
      generations.closeAll();
      if (metricsServer != null) {
        metricsServer.close();
      }
      closers.forEach(GatewayServer::closeQuietly);
      telemetry.close();
      scheduler.shutdownNow();
      if (executor != null) {
        executor.shutdown();
      }
    }
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "close failed", e);
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
