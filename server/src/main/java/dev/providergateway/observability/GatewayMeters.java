package dev.providergateway.observability;

import dev.providergateway.provider.ErrorReason;
import dev.providergateway.registry.Deployment;
import dev.providergateway.registry.RegisteredProvider;
import dev.providergateway.resilience.ProviderBreaker;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's meters in a Micrometer Prometheus registry. Names follow the OpenTelemetry GenAI
 * semantic conventions where one exists ({@code gen_ai.server.request.duration}, {@code
 * gen_ai.server.time_to_first_token}, {@code gen_ai.server.time_per_output_token}, {@code
 * gen_ai.client.token.usage}, {@code gen_ai.client.operation.duration}) and use a {@code gateway.}
 * prefix otherwise. Every label value comes from a bounded set, chosen by {@link Telemetry}: method
 * names of the service, status codes, error reasons, registry names of providers, and models the
 * provider knows (else {@code other}; a caller's or an upstream's string never becomes a label),
 * and the configured key ids on the usage counters ({@code gateway.tokens}, {@code gateway.cost},
 * {@code gateway.budget.warnings}). No key or credential is ever a label.
 */
final class GatewayMeters implements AutoCloseable {
  // The OpenTelemetry GenAI semantic conventions' advised buckets, in seconds: operation and
  // request durations; time to first token (from 1 ms); time per output token; tokens.
  private static final Duration[] DURATION_BUCKETS =
      seconds(
          0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);
  private static final Duration[] FIRST_TOKEN_BUCKETS =
      seconds(
          0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
          10.0);
  private static final Duration[] TOKEN_TIME_BUCKETS =
      seconds(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5);
  private static final Duration[] OVERHEAD_BUCKETS =
      seconds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25);
  private static final double[] TOKEN_BUCKETS = {
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864
  };

  private static final List<String> GENERATING = List.of("Chat", "Stream", "Converse");
  private static final List<String> STREAMING = List.of("Stream", "Converse");

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicInteger> activeStreams = new ConcurrentHashMap<>();
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final MultiGauge breakerState;

  GatewayMeters() {
    // JMX warm-up costs a few hundred milliseconds: bind the JVM meters off the startup path.
    Thread jvm =
        new Thread(
            () -> {
              new JvmMemoryMetrics().bindTo(registry);
              new JvmThreadMetrics().bindTo(registry);
              new ProcessorMetrics().bindTo(registry);
              new UptimeMetrics().bindTo(registry);
              gc.bindTo(registry);
            },
            "gateway-jvm-metrics");
    jvm.setDaemon(true);
    jvm.start();
    breakerState =
        MultiGauge.builder("gateway.circuit_breaker.state")
            .description("1 for each provider's current circuit breaker state, 0 for the others")
            .register(registry);
    for (String method : STREAMING) {
      activeStreams(method);
    }
    reloads("applied");
    reloads("rejected");
    requests("ListProviders", Status.Code.OK, "");
  }

  /** {@code gateway_state_store_up}: 1 while the shared state store (Redis) answers, else 0. */
  void stateStoreUp(java.util.function.BooleanSupplier up) {
    Gauge.builder("gateway.state_store.up", up, u -> u.getAsBoolean() ? 1 : 0)
        .description(
            "1 while the shared state store (state.redis_url) is reachable, 0 while the gateway"
                + " falls back to local limits (or refuses calls under state.fail_closed)")
        .strongReference(true)
        .register(registry);
  }

  String scrape() {
    return registry.scrape();
  }

  void callEnded(
      String method,
      Status.Code code,
      String reason,
      String provider,
      String model,
      CallRecord.Snapshot s,
      long start,
      long end) {
    long nanos = end - start;
    requests(method, code, provider).increment();
    if (code != Status.Code.OK) {
      errors(method, reason, provider).increment();
    }
    if (method.equals("ListProviders")) {
      return;
    }
    Tags genAi = genAi(method, provider, model);
    // error.type only on failures, as the conventions say: a success has no such label at all.
    requestDuration(code == Status.Code.OK ? genAi : genAi.and("error.type", reason))
        .record(nanos, TimeUnit.NANOSECONDS);
    if (s.completed() == 0) {
      // A failed or cancelled call's consumption still counts (it is charged as well).
      if (s.inputTokens() + s.outputTokens() > 0) {
        tokens(genAi, "input").record(s.inputTokens());
        tokens(genAi, "output").record(s.outputTokens());
      }
      return;
    }
    tokens(genAi, "input").record(s.inputTokens());
    tokens(genAi, "output").record(s.outputTokens());
    if (s.firstOutputNanos() >= 0) {
      long ttft = s.firstOutputNanos() - start;
      firstToken(genAi).record(Math.max(0, ttft), TimeUnit.NANOSECONDS);
      if (s.outputTokens() > 1) {
        perOutputToken(genAi)
            .record(
                Math.max(0, end - s.firstOutputNanos()) / (s.outputTokens() - 1),
                TimeUnit.NANOSECONDS);
      }
    }
    if (s.attempts() > 0) {
      overhead(method, provider)
          .record(Math.max(0, nanos - s.upstreamNanos() - s.backoffNanos()), TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Registers, at zero, every series whose labels are known before any call: for each provider
   * served, requests and errors (every reason) per method, retries per reason, the latency and
   * token histograms of its default model, and fallbacks between consecutive route targets. A
   * counter that first appears at 1 loses that increment to {@code rate()} and {@code increase()};
   * a dashboard query over a family that does not exist yet shows "no data" instead of 0.
   */
  void serving(
      List<RegisteredProvider> providers, Map<String, String> defaultModels, List<String[]> hops) {
    for (RegisteredProvider p : providers) {
      String provider = p.name();
      String model = defaultModels.getOrDefault(provider, Telemetry.OTHER);
      for (String method : GENERATING) {
        requests(method, Status.Code.OK, provider);
        for (ErrorReason reason : ErrorReason.values()) {
          errors(method, reason.name(), provider);
        }
        Tags genAi = genAi(method, provider, model);
        requestDuration(genAi);
        tokens(genAi, "input");
        tokens(genAi, "output");
        overhead(method, provider);
        if (STREAMING.contains(method)) {
          firstToken(genAi);
          perOutputToken(genAi);
        }
      }
      for (ErrorReason reason : ErrorReason.values()) {
        retries(provider, reason.name());
      }
      for (Deployment d : p.deployments()) {
        operationDuration(provider, d.id(), model, "");
      }
      upstreamFirstToken(provider, model);
    }
    for (String[] hop : hops) {
      for (ErrorReason reason : ErrorReason.values()) {
        fallbacks(hop[0], hop[1], reason.name());
      }
    }
    breakers(providers);
  }

  private Counter requests(String method, Status.Code code, String provider) {
    return Counter.builder("gateway.requests")
        .description("Calls handled, by gRPC method and status code")
        .tags(
            "rpc.method",
            method,
            "rpc.grpc.status_code",
            code.name(),
            "gen_ai.provider.name",
            provider)
        .register(registry);
  }

  private Counter errors(String method, String reason, String provider) {
    return Counter.builder("gateway.errors")
        .description("Failed calls, by error reason (ErrorInfo.reason, else the gRPC code)")
        .tags("rpc.method", method, "error.type", reason, "gen_ai.provider.name", provider)
        .register(registry);
  }

  private static Tags genAi(String method, String provider, String model) {
    return Tags.of(
        "gen_ai.operation.name",
        "chat",
        "gen_ai.provider.name",
        provider,
        "gen_ai.response.model",
        model,
        "rpc.method",
        method);
  }

  private Timer requestDuration(Tags tags) {
    return Timer.builder("gen_ai.server.request.duration")
        .description("Time from receiving a call to its end, as the caller sees it")
        .tags(tags)
        .serviceLevelObjectives(DURATION_BUCKETS)
        .register(registry);
  }

  private Timer firstToken(Tags genAi) {
    return Timer.builder("gen_ai.server.time_to_first_token")
        .description("Time from receiving a streaming call to sending its first chunk")
        .tags(genAi)
        .serviceLevelObjectives(FIRST_TOKEN_BUCKETS)
        .register(registry);
  }

  private Timer perOutputToken(Tags genAi) {
    return Timer.builder("gen_ai.server.time_per_output_token")
        .description("Time per output token after the first, of streaming calls")
        .tags(genAi)
        .serviceLevelObjectives(TOKEN_TIME_BUCKETS)
        .register(registry);
  }

  private Timer overhead(String method, String provider) {
    return Timer.builder("gateway.overhead")
        .description("Call time not spent waiting on upstream attempts or retry backoff")
        .tags("rpc.method", method, "gen_ai.provider.name", provider)
        .serviceLevelObjectives(OVERHEAD_BUCKETS)
        .register(registry);
  }

  private DistributionSummary tokens(Tags genAi, String type) {
    return DistributionSummary.builder("gen_ai.client.token.usage")
        .description("Tokens per request, by gen_ai.token.type (input includes cached input)")
        .tags(genAi)
        .tag("gen_ai.token.type", type)
        .serviceLevelObjectives(TOKEN_BUCKETS)
        .register(registry);
  }

  /**
   * An upstream attempt ended: {@code model} is the bounded label of the model sent upstream,
   * {@code deployment} the id of the deployment that served it, {@code outcome} the failure's
   * reason, empty on success (then no {@code error.type} label).
   */
  void attemptEnded(String provider, String deployment, String model, String outcome, long nanos) {
    operationDuration(provider, deployment, model, outcome).record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer operationDuration(
      String provider, String deployment, String model, String outcome) {
    Tags tags =
        Tags.of(
            "gen_ai.operation.name",
            "chat",
            "gen_ai.provider.name",
            provider,
            "gen_ai.request.model",
            model,
            "gateway.deployment",
            deployment);
    return Timer.builder("gen_ai.client.operation.duration")
        .description("Duration of each upstream attempt, by provider, model and deployment")
        .tags(outcome.isEmpty() ? tags : tags.and("error.type", outcome))
        .serviceLevelObjectives(DURATION_BUCKETS)
        .register(registry);
  }

  void upstreamFirstToken(String provider, String model, long nanos) {
    upstreamFirstToken(provider, model).record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * One upstream attempt's consumption, charged to {@code keyId} (a configured id, "" with auth
   * off): tokens by type and whether estimated, and the cost when priced.
   */
  void consumed(
      String keyId,
      String provider,
      String model,
      dev.providergateway.provider.Usage usage,
      boolean estimated,
      java.util.OptionalLong costNanos,
      String currency) {
    Tags tags =
        Tags.of("key_id", keyId, "gen_ai.provider.name", provider, "gen_ai.response.model", model);
    String est = Boolean.toString(estimated);
    Counter.builder("gateway.tokens")
        .description(
            "Tokens consumed upstream and charged to a key, by type; estimated=true when the"
                + " upstream reported none (a stream that ended early)")
        .tags(tags)
        .tags("gen_ai.token.type", "input", "estimated", est)
        .register(registry)
        .increment(usage.promptTokens());
    Counter.builder("gateway.tokens")
        .description(
            "Tokens consumed upstream and charged to a key, by type; estimated=true when the"
                + " upstream reported none (a stream that ended early)")
        .tags(tags)
        .tags("gen_ai.token.type", "output", "estimated", est)
        .register(registry)
        .increment(usage.completionTokens());
    if (costNanos.isPresent()) {
      Counter.builder("gateway.cost")
          .description("What the consumed tokens cost at the price table, in the currency label")
          .tags(tags)
          .tag("currency", currency)
          .register(registry)
          .increment(costNanos.getAsLong() / 1e9);
    }
  }

  /** {@code keyId} crossed its budget's soft threshold for {@code limit} ("amount" or "tokens"). */
  void budgetWarning(String keyId, String limit) {
    Counter.builder("gateway.budget.warnings")
        .description("Keys that crossed their budget's warn_percent in a period")
        .tags("key_id", keyId, "limit", limit)
        .register(registry)
        .increment();
  }

  private Timer upstreamFirstToken(String provider, String model) {
    return Timer.builder("gateway.upstream.time_to_first_token")
        .description("Time from starting an upstream streaming attempt to its first event")
        .tags("gen_ai.provider.name", provider, "gen_ai.request.model", model)
        .serviceLevelObjectives(FIRST_TOKEN_BUCKETS)
        .register(registry);
  }

  void retry(String provider, String reason) {
    retries(provider, reason).increment();
  }

  private Counter retries(String provider, String reason) {
    return Counter.builder("gateway.upstream.retries")
        .description("Upstream attempts retried, by the failure's reason")
        .tags("gen_ai.provider.name", provider, "error.type", reason)
        .register(registry);
  }

  void fallback(String from, String to, String reason) {
    fallbacks(from, to, reason).increment();
  }

  private Counter fallbacks(String from, String to, String reason) {
    return Counter.builder("gateway.fallbacks")
        .description("Moves from one route target to the next")
        .tags("from_provider", from, "to_provider", to, "error.type", reason)
        .register(registry);
  }

  void streamStarted(String method) {
    activeStreams(method).incrementAndGet();
  }

  private AtomicInteger activeStreams(String method) {
    return activeStreams.computeIfAbsent(
        method,
        m -> {
          AtomicInteger n = new AtomicInteger();
          Gauge.builder("gateway.streams.active", n, AtomicInteger::get)
              .description("Streaming calls in flight")
              .tag("rpc.method", m)
              .register(registry);
          return n;
        });
  }

  void streamEnded(String method) {
    AtomicInteger n = activeStreams.get(method);
    if (n != null) {
      n.decrementAndGet();
    }
  }

  private void breakers(List<RegisteredProvider> providers) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (RegisteredProvider p : providers) {
      for (Deployment d : p.deployments()) {
        for (ProviderBreaker.State state : ProviderBreaker.State.values()) {
          rows.add(
              MultiGauge.Row.of(
                  Tags.of(
                      "gen_ai.provider.name",
                      p.name(),
                      "gateway.deployment",
                      d.id(),
                      "state",
                      state.name().toLowerCase()),
                  d,
                  dep -> dep.breaker().state() == state ? 1 : 0));
        }
      }
    }
    breakerState.register(rows, true);
  }

  void reload(boolean applied) {
    reloads(applied ? "applied" : "rejected").increment();
  }

  private Counter reloads(String result) {
    return Counter.builder("gateway.config.reloads")
        .description("Config reloads, applied or rejected")
        .tag("result", result)
        .register(registry);
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }

  private static Duration[] seconds(double... values) {
    Duration[] durations = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      durations[i] = Duration.ofNanos((long) (values[i] * 1e9));
    }
    return durations;
  }
}
