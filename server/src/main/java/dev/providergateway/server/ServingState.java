package dev.providergateway.server;

import dev.providergateway.api.ChatEntry;
import dev.providergateway.api.MalformedRequests;
import dev.providergateway.api.ProviderGatewayService;
import dev.providergateway.auth.Admission;
import dev.providergateway.auth.ApiKeyAuthenticator;
import dev.providergateway.auth.AuthInterceptor;
import dev.providergateway.auth.KeyRateLimits;
import dev.providergateway.config.GatewayConfig;
import dev.providergateway.config.PricingConfig;
import dev.providergateway.observability.EndOfCall;
import dev.providergateway.observability.Telemetry;
import dev.providergateway.openai.DoorGeneration;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.resilience.Resilience;
import dev.providergateway.state.SharedState;
import dev.providergateway.usage.Accounting;
import dev.providergateway.usage.AdminUsageService;
import dev.providergateway.usage.UsageStore;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One generation of what a config file describes: its registry, the service over it (with auth and
 * the edge interceptors) and its rate-limit buckets. A reload builds a new generation and swaps it
 * in; calls already running keep theirs. A retired generation closes its providers once its last
 * call ends, or when the grace period is over, whichever comes first.
 */
final class ServingState {
  private static final System.Logger LOG = System.getLogger(ServingState.class.getName());

  final GatewayConfig config;
  final ProviderRegistry registry;
  final KeyRateLimits limits;
  final ServerServiceDefinition definition;
  // What the OpenAI-compatible HTTP door serves this generation's calls with.
  final DoorGeneration door;
  final ServerServiceDefinition admin;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean retired;

  private ServingState(
      GatewayConfig config,
      ProviderRegistry registry,
      KeyRateLimits limits,
      ProviderGatewayService service,
      ChatEntry entry,
      AdminUsageService adminService,
      Telemetry telemetry) {
    this.config = config;
    this.registry = registry;
    this.limits = limits;
    List<ServerInterceptor> interceptors = new ArrayList<>();
    // The last one runs first: the edge sees every call, auth failures included. Malformed
    // requests are answered innermost, so every outer interceptor records that answer.
    interceptors.add(MalformedRequests.interceptor());
    Optional<ApiKeyAuthenticator> keys =
        config.auth().enabled()
            ? Optional.of(ApiKeyAuthenticator.of(config.auth()))
            : Optional.empty();
    keys.ifPresent(k -> interceptors.add(new AuthInterceptor(k)));
    this.door = new DoorGeneration(entry, keys, inFlight::incrementAndGet, this::callEnded);
    interceptors.add(new Counting());
    interceptors.add(telemetry.interceptor());
    this.definition = MalformedRequests.guard(ServerInterceptors.intercept(service, interceptors));
    this.admin = MalformedRequests.guard(ServerInterceptors.intercept(adminService, interceptors));
  }

  /** A generation over {@code registry}, which it owns from now on. */
  static ServingState build(
      GatewayConfig config,
      ProviderRegistry registry,
      Clock clock,
      ScheduledExecutorService scheduler,
      Telemetry telemetry,
      SharedState shared,
      KeyRateLimits previousLimits,
      UsageStore usage) {
    KeyRateLimits limits = KeyRateLimits.of(config.auth(), shared, previousLimits);
    Accounting accounting =
        Accounting.create(
            config, PricingConfig.shipped(), registry, clock, usage, telemetry::budgetWarning);
    telemetry.currency(accounting.currency());
    Resilience resilience =
        Resilience.of(config.resilience(), clock, scheduler, shared.cooldowns());
    EdgeHooks hooks = new EdgeHooks(new Admission(registry, limits), accounting);
    ProviderGatewayService service =
        new ProviderGatewayService(
            registry,
            config.limits(),
            resilience,
            hooks,
            telemetry,
            config.auth().showUpstreamHosts());
    ChatEntry entry = new ChatEntry(registry, config.limits(), resilience, hooks, telemetry);
    return new ServingState(
        config, registry, limits, service, entry, new AdminUsageService(accounting), telemetry);
  }

  /**
   * Stops taking new calls (the caller has already swapped the next generation in) and closes the
   * providers when the last call ends or after {@code grace}.
   */
  void retire(Duration grace, ScheduledExecutorService scheduler) {
    retired = true;
    if (inFlight.get() == 0) {
      close();
      return;
    }
    scheduler.schedule(
        () -> {
          if (!closed.get()) {
            LOG.log(
                System.Logger.Level.WARNING,
                "{0} calls of the previous configuration still running after {1};"
                    + " closing its providers",
                inFlight.get(),
                grace);
            close();
          }
        },
        grace.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  /** Closes the providers (idempotent). */
  void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        registry.close();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "closing providers failed", e);
      }
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  int inFlight() {
    return inFlight.get();
  }

  /** A call of this generation ended; the last one of a retired generation closes it. */
  private void callEnded() {
    if (inFlight.decrementAndGet() == 0 && retired) {
      close();
    }
  }

  /**
   * Counts this generation's running calls; every call ends in exactly one of onComplete, onCancel.
   */
  private final class Counting implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      inFlight.incrementAndGet();
      ServerCall.Listener<Q> listener;
      try {
        listener = next.startCall(call, headers);
      } catch (RuntimeException e) {
        ended();
        throw e;
      }
      return EndOfCall.either(listener, this::ended);
    }

    private void ended() {
      callEnded();
    }
  }
}
