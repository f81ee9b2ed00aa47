package dev.providergateway.observability;

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
  // The OpenTelemetry GenAI semantic conventions' advised buckets, in seconds.
  private static final Duration[] DURATION_BUCKETS =
      seconds(
          0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);
  private static final Duration[] TOKEN_TIME_BUCKETS =
      seconds(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5);
  private static final Duration[] OVERHEAD_BUCKETS =
      seconds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25);
  private static final double[] TOKEN_BUCKETS = {
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864
  };

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
    Counter.builder("gateway.requests")
        .description("Calls handled, by gRPC method and status code")
        .tags(
            "rpc.method",
            method,
            "rpc.grpc.status_code",
            code.name(),
            "gen_ai.provider.name",
            provider)
        .register(registry)
        .increment();
    if (code != Status.Code.OK) {
      Counter.builder("gateway.errors")
          .description("Failed calls, by error reason (ErrorInfo.reason, else the gRPC code)")
          .tags("rpc.method", method, "error.type", reason, "gen_ai.provider.name", provider)
          .register(registry)
          .increment();
    }
    if (method.equals("ListProviders")) {
      return;
    }
    Tags genAi =
        Tags.of(
            "gen_ai.operation.name",
            "chat",
            "gen_ai.provider.name",
            provider,
            "gen_ai.response.model",
            model,
            "rpc.method",
            method);
    Timer.builder("gen_ai.server.request.duration")
        .description("Time from receiving a call to its end, as the caller sees it")
        .tags(genAi)
        .tag("error.type", code == Status.Code.OK ? "" : reason)
        .serviceLevelObjectives(DURATION_BUCKETS)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
    if (s.completed() == 0) {
      // A failed or cancelled call's consumption still counts (it is charged as well).
      if (s.inputTokens() + s.outputTokens() > 0) {
        tokens(genAi, "input", s.inputTokens());
        tokens(genAi, "output", s.outputTokens());
      }
      return;
    }
    tokens(genAi, "input", s.inputTokens());
    tokens(genAi, "output", s.outputTokens());
    if (s.firstOutputNanos() >= 0) {
      long ttft = s.firstOutputNanos() - start;
      Timer.builder("gen_ai.server.time_to_first_token")
          .description("Time from receiving a streaming call to sending its first chunk")
          .tags(genAi)
          .serviceLevelObjectives(DURATION_BUCKETS)
          .register(registry)
          .record(Math.max(0, ttft), TimeUnit.NANOSECONDS);
      if (s.outputTokens() > 1) {
        Timer.builder("gen_ai.server.time_per_output_token")
            .description("Time per output token after the first, of streaming calls")
            .tags(genAi)
            .serviceLevelObjectives(TOKEN_TIME_BUCKETS)
            .register(registry)
            .record(
                Math.max(0, end - s.firstOutputNanos()) / (s.outputTokens() - 1),
                TimeUnit.NANOSECONDS);
      }
    }
    if (s.attempts() > 0) {
      Timer.builder("gateway.overhead")
          .description("Call time not spent waiting on upstream attempts or retry backoff")
          .tags("rpc.method", method, "gen_ai.provider.name", provider)
          .serviceLevelObjectives(OVERHEAD_BUCKETS)
          .register(registry)
          .record(Math.max(0, nanos - s.upstreamNanos() - s.backoffNanos()), TimeUnit.NANOSECONDS);
    }
  }

  private void tokens(Tags genAi, String type, long count) {
    DistributionSummary.builder("gen_ai.client.token.usage")
        .description("Tokens per request, by gen_ai.token.type (input includes cached input)")
        .tags(genAi)
        .tag("gen_ai.token.type", type)
        .serviceLevelObjectives(TOKEN_BUCKETS)
        .register(registry)
        .record(count);
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

  void attemptEnded(String provider, String outcome, long nanos) {
    Timer.builder("gen_ai.client.operation.duration")
        .description("Duration of each upstream attempt")
        .tags(
            "gen_ai.operation.name",
            "chat",
            "gen_ai.provider.name",
            provider,
            "error.type",
            outcome)
        .serviceLevelObjectives(DURATION_BUCKETS)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  void upstreamFirstToken(String provider, long nanos) {
    Timer.builder("gateway.upstream.time_to_first_token")
        .description("Time from starting an upstream streaming attempt to its first event")
        .tags("gen_ai.provider.name", provider)
        .serviceLevelObjectives(DURATION_BUCKETS)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  void retry(String provider, String reason) {
    Counter.builder("gateway.upstream.retries")
        .description("Upstream attempts retried, by the failure's reason")
        .tags("gen_ai.provider.name", provider, "error.type", reason)
        .register(registry)
        .increment();
  }

  void fallback(String from, String to, String reason) {
    Counter.builder("gateway.fallbacks")
        .description("Moves from one route target to the next")
        .tags("from_provider", from, "to_provider", to, "error.type", reason)
        .register(registry)
        .increment();
  }

  void streamStarted(String method) {
    activeStreams
        .computeIfAbsent(
            method,
            m -> {
              AtomicInteger n = new AtomicInteger();
              Gauge.builder("gateway.streams.active", n, AtomicInteger::get)
                  .description("Streaming calls in flight")
                  .tag("rpc.method", m)
                  .register(registry);
              return n;
            })
        .incrementAndGet();
  }

  void streamEnded(String method) {
    AtomicInteger n = activeStreams.get(method);
    if (n != null) {
      n.decrementAndGet();
    }
  }

  void breakers(List<RegisteredProvider> providers) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (RegisteredProvider p : providers) {
      for (ProviderBreaker.State state : ProviderBreaker.State.values()) {
        rows.add(
            MultiGauge.Row.of(
                Tags.of("gen_ai.provider.name", p.name(), "state", state.name().toLowerCase()),
                p,
                rp -> rp.breaker().state() == state ? 1 : 0));
      }
    }
    breakerState.register(rows, true);
  }

  void reload(boolean applied) {
    Counter.builder("gateway.config.reloads")
        .description("Config reloads, applied or rejected")
        .tag("result", applied ? "applied" : "rejected")
        .register(registry)
        .increment();
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
