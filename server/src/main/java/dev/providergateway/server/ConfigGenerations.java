package dev.providergateway.server;

import static java.util.Objects.requireNonNull;

import dev.providergateway.config.GatewayConfig;
import dev.providergateway.config.StateConfig;
import dev.providergateway.observability.Telemetry;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.state.SharedState;
import dev.providergateway.usage.UsageStore;
import io.grpc.HandlerRegistry;
import io.grpc.util.MutableHandlerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * The config generations of a running gateway: the {@link ServingState} now served, and those
 * retired by reloads whose calls may still run. {@code ProviderService} sits in a {@link
 * MutableHandlerRegistry} (the server's fallback registry), so a reload swaps the next generation
 * in atomically; running calls finish on the generation they started on.
 *
 * <p>Thread-safe: reloads and {@link #stop()} hold one lock; {@link #current()} is a volatile read.
 * Owns every generation's registry: {@link #closeAll()} closes them at shutdown.
 */
final class ConfigGenerations {
  private static final System.Logger LOG = System.getLogger(ConfigGenerations.class.getName());

  private final MutableHandlerRegistry services = new MutableHandlerRegistry();
  private final Function<GatewayConfig, ProviderRegistry> registries;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Telemetry telemetry;
  private final SharedState shared;
  private final UsageStore usage;
  private final Object lock = new Object();
  private final List<ServingState> retired = new CopyOnWriteArrayList<>();
  private volatile ServingState current;
  private boolean stopped;

  /**
   * Serves {@code config} on {@code first} (owned from now on); reloads build their registries with
   * {@code registries}.
   */
  ConfigGenerations(
      GatewayConfig config,
      ProviderRegistry first,
      Function<GatewayConfig, ProviderRegistry> registries,
      Clock clock,
      ScheduledExecutorService scheduler,
      Telemetry telemetry,
      SharedState shared,
      UsageStore usage) {
    this.registries = requireNonNull(registries, "registries");
    this.usage = requireNonNull(usage, "usage");
    this.clock = clock;
    this.scheduler = scheduler;
    this.telemetry = telemetry;
    this.shared = requireNonNull(shared, "shared");
    this.current =
        ServingState.build(config, first, clock, scheduler, telemetry, shared, null, usage);
    telemetry.servingProviders(first);
    services.addService(current.definition);
    services.addService(current.admin);
  }

  /** Where the server finds {@code ProviderService}: always the current generation's. */
  HandlerRegistry handlers() {
    return services;
  }

  /** The generation now served. */
  ServingState current() {
    return current;
  }

  /**
   * Serves {@code next} from now on: builds its registry (a failure throws and changes nothing),
   * swaps the new generation in, and retires the old one. Sections bound at startup keep their
   * running values; a warning names those that changed. A config without caller authentication
   * never replaces one with it: the running keys stay, with a warning (that takes a restart).
   *
   * @throws IllegalStateException if a provider cannot be created, a route is invalid, or the
   *     gateway is shutting down
   */
  void reload(GatewayConfig next) {
    requireNonNull(next, "next");
    synchronized (lock) {
      if (stopped) {
        throw new IllegalStateException("the gateway is shutting down");
      }
      ServingState old = current;
      GatewayConfig applied = keepStartupSections(old.config, next);
      ProviderRegistry registry = registries.apply(applied);
      ServingState state;
      try {
        state =
            ServingState.build(
                applied, registry, clock, scheduler, telemetry, shared, old.limits, usage);
      } catch (RuntimeException e) {
        registry.close();
        throw e;
      }
      services.addService(state.definition);
      services.addService(state.admin);
      current = state;
      telemetry.servingProviders(registry);
      telemetry.configReloaded(true);
      retired.removeIf(ServingState::isClosed);
      retired.add(old);
      old.retire(applied.server().shutdownGrace(), scheduler);
    }
  }

  /** Refuses further reloads; returns the shutdown grace period of the config now served. */
  Duration stop() {
    synchronized (lock) {
      stopped = true;
      return current.config.server().shutdownGrace();
    }
  }

  /** Closes the providers of every generation (idempotent). */
  void closeAll() {
    current.close();
    retired.forEach(ServingState::close);
  }

  private static GatewayConfig keepStartupSections(GatewayConfig running, GatewayConfig next) {
    if (running.auth().enabled() && !next.auth().enabled()) {
      // A truncated or half-written file is often valid YAML without its auth section; turning
      // authentication off is a decision made at startup, never by a file change.
      LOG.log(
          System.Logger.Level.WARNING,
          "config reload would switch caller authentication off; that takes a restart:"
              + " authentication stays on with the running keys");
      next = next.withAuth(running.auth());
    }
    List<String> changed = new ArrayList<>();
    if (!running.server().equals(next.server())) {
      changed.add("server");
    }
    if (!running.metrics().equals(next.metrics())) {
      changed.add("metrics");
    }
    if (!running.tracing().equals(next.tracing())) {
      changed.add("tracing");
    }
    if (!running.logging().equals(next.logging())) {
      changed.add("logging");
    }
    StateConfig nextState = next.state();
    if (running.state().source().equals(StateConfig.REDIS_URL_ENV)) {
      // The environment's URL beats the file's, now as at startup.
      nextState = nextState.withRedisUrl(running.state().redisUrl(), StateConfig.REDIS_URL_ENV);
    }
    if (!running.state().equals(nextState)) {
      changed.add("state");
    }
    if (!running.http().equals(next.http())) {
      changed.add("http");
    }
    if (changed.isEmpty()) {
      // The state store is bound at startup; the URL may have come from the environment.
      return next.withState(running.state());
    }
    LOG.log(
        System.Logger.Level.WARNING,
        "config reload: {0} changed; these sections apply at startup only,"
            + " restart the gateway to apply them (the running values stay)",
        String.join(", ", changed));
    return next.toBuilder()
        .server(running.server())
        .metrics(running.metrics())
        .tracing(running.tracing())
        .logging(running.logging())
        .state(running.state())
        .http(running.http())
        .build();
  }
}
