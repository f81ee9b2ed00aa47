package dev.providergateway.observability;

import com.google.rpc.ErrorInfo;
import dev.providergateway.config.LoggingConfig;
import dev.providergateway.config.MetricsConfig;
import dev.providergateway.config.TracingConfig;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ErrorReason;
import dev.providergateway.provider.Usage;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.registry.RegisteredProvider;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The gateway's telemetry, owned by the server for its whole life (config reloads keep it): the
 * Prometheus meters (when {@code metrics.enabled}), the trace spans (when {@code
 * tracing.otlp_endpoint} is set; the OpenTelemetry SDK is not loaded otherwise) and the access log.
 * It is also the dispatcher's {@link GatewayMetrics}, matching its reports to calls by request id.
 * Thread-safe.
 */
public final class Telemetry implements GatewayMetrics, AutoCloseable {
  /** The label value of every model a provider does not know. */
  static final String OTHER = "other";

  private final GatewayMeters meters;
  private final CallTracing tracing;
  private final AccessLog accessLog;
  private final Map<String, CallRecord> inFlight = new ConcurrentHashMap<>();

  /**
   * Calls closing and not yet recorded. A call's status reaches its client before its access line
   * is written (the line follows {@code close}), so a shutdown waits for this to reach zero before
   * the log is released: otherwise the last calls of a drain could lose their lines.
   */
  private final AtomicInteger unrecorded = new AtomicInteger();

  private volatile Set<String> providerNames = Set.of();
  private volatile String currency = "USD";
  // provider -> the models it may report as labels; anything else is "other".
  private volatile Map<String, Set<String>> knownModels = Map.of();

  private Telemetry(GatewayMeters meters, CallTracing tracing, AccessLog accessLog) {
    this.meters = meters;
    this.tracing = tracing;
    this.accessLog = accessLog;
  }

  /**
   * Telemetry as configured; {@code exporter}, if not null, replaces OTLP and turns tracing on
   * (tests).
   */
  public static Telemetry create(
      MetricsConfig metrics, TracingConfig tracing, LoggingConfig logging, SpanExporter exporter) {
    GatewayMeters meters = metrics.enabled() ? new GatewayMeters() : null;
    CallTracing spans =
        exporter != null
            ? CallTracing.withExporter(exporter, tracing)
            : tracing.enabled() ? CallTracing.otlp(tracing) : null;
    return new Telemetry(meters, spans, logging.accessLog() ? new AccessLog() : null);
  }

  /** No metrics, no tracing, no access log. */
  public static Telemetry disabled() {
    return new Telemetry(null, null, null);
  }

  /** The interceptor that must wrap the gateway's service, outermost. */
  public ServerInterceptor interceptor() {
    return new EdgeInterceptor(this);
  }

  /** The Prometheus text exposition of every meter, when metrics are on. */
  public Optional<String> scrape() {
    return meters == null ? Optional.empty() : Optional.of(meters.scrape());
  }

  /**
   * The providers now served: their breaker-state gauges, and the label values they bound. A
   * provider name is a label; a model is one only if the provider knows it (its descriptor's models
   * and default, the entry's {@code models}, or a route target's model), since upstreams echo back
   * whatever model a caller asks for and each new label value is a new series held forever.
   */
  public void servingProviders(ProviderRegistry registry) {
    List<RegisteredProvider> providers = registry.all();
    providerNames =
        providers.stream().map(RegisteredProvider::name).collect(Collectors.toUnmodifiableSet());
    Map<String, Set<String>> models = new HashMap<>();
    for (RegisteredProvider p : providers) {
      Set<String> known = models.computeIfAbsent(p.name(), n -> new HashSet<>());
      known.add(p.provider().descriptor().defaultModel());
      p.provider().descriptor().models().forEach(m -> known.add(m.id()));
    }
    registry
        .routes()
        .values()
        .forEach(
            targets ->
                targets.forEach(
                    t -> {
                      if (models.containsKey(t.provider()) && !t.model().isEmpty()) {
                        models.get(t.provider()).add(t.model());
                      }
                    }));
    Map<String, Set<String>> frozen = new HashMap<>();
    models.forEach((name, known) -> frozen.put(name, Set.copyOf(known)));
    knownModels = Map.copyOf(frozen);
    if (meters != null) {
      Map<String, String> defaults = new HashMap<>();
      for (RegisteredProvider p : providers) {
        defaults.put(p.name(), modelLabel(p.name(), p.provider().descriptor().defaultModel()));
      }
      List<String[]> hops = new ArrayList<>();
      registry
          .routes()
          .values()
          .forEach(
              targets -> {
                for (int i = 1; i < targets.size(); i++) {
                  String from = targets.get(i - 1).provider();
                  String to = targets.get(i).provider();
                  if (providerNames.contains(from) && providerNames.contains(to)) {
                    hops.add(new String[] {from, to});
                  }
                }
              });
      meters.serving(providers, defaults, hops);
    }
  }

  /**
   * Reports the shared state store's reachability as {@code gateway_state_store_up}, when the state
   * is {@code shared} (in-process state has no store to report).
   */
  public void sharedState(boolean shared, java.util.function.BooleanSupplier up) {
    if (meters != null && shared) {
      meters.stateStoreUp(up);
    }
  }

  /** The currency of costs (the served config's {@code pricing.currency}). */
  public void currency(String currency) {
    this.currency = currency;
    if (accessLog != null) {
      accessLog.currency(currency);
    }
    if (tracing != null) {
      tracing.currency(currency);
    }
  }

  /** {@code keyId} crossed its budget's soft threshold for {@code limit} ("amount" or "tokens"). */
  public void budgetWarning(String keyId, String limit) {
    if (meters != null) {
      meters.budgetWarning(keyId, limit);
    }
  }

  /** A config reload was applied ({@code true}) or rejected. */
  public void configReloaded(boolean applied) {
    if (meters != null) {
      meters.reload(applied);
    }
  }

  CallRecord started(CallRecord record, String fullMethod, Metadata headers) {
    CallRecord rec = record;
    while (inFlight.putIfAbsent(rec.requestId, rec) != null) {
      // Two calls sent the same x-request-id: the later one gets its own.
      rec =
          new CallRecord(
              record.requestId + "-" + EdgeInterceptor.newRequestId().substring(0, 8),
              record.method,
              record.streaming,
              record.startNanos);
    }
    if (meters != null && rec.streaming) {
      meters.streamStarted(rec.method);
    }
    if (tracing != null) {
      rec.span = tracing.startCall(fullMethod, headers, rec.requestId);
      rec.traceId = tracing.traceId(rec.span);
    }
    return rec;
  }

  /** {@code rec}'s call is about to close: {@link #finished} records it next. */
  void closing() {
    unrecorded.incrementAndGet();
  }

  /** Records a call; {@link #closing} came first, once. */
  void finished(CallRecord rec, Status status, Metadata trailers, Attributes attributes) {
    try {
      record(rec, status, trailers, attributes);
    } finally {
      unrecorded.decrementAndGet();
    }
  }

  /**
   * Waits up to {@code timeout} until every started call has its metrics and access line recorded;
   * false if some were still being recorded.
   */
  public boolean awaitRecorded(Duration timeout) throws InterruptedException {
    // Polled: only a shutdown waits, so the per-call path pays one atomic add and no monitor.
    long deadline = System.nanoTime() + timeout.toNanos();
    while (unrecorded.get() > 0) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(1);
    }
    return true;
  }

  private void record(CallRecord rec, Status status, Metadata trailers, Attributes attributes) {
    long now = System.nanoTime();
    inFlight.remove(rec.requestId, rec);
    CallRecord.Snapshot s = rec.snapshot();
    ErrorInfo info = errorInfo(status, trailers);
    String reason =
        info == null
            ? (status.isOk() ? "" : status.getCode().name())
            : boundedReason(info.getReason());
    String provider =
        providerNames.contains(s.provider())
            ? s.provider()
            : info != null && providerNames.contains(info.getMetadataOrDefault("provider", ""))
                ? info.getMetadataOrDefault("provider", "")
                : providerNames.contains(s.requestedProvider()) ? s.requestedProvider() : "";
    long duration = now - rec.startNanos;
    if (meters != null) {
      if (rec.streaming) {
        meters.streamEnded(rec.method);
      }
      String model = s.completed() > 0 ? modelLabel(provider, s.model()) : "";
      meters.callEnded(
          rec.method, status.getCode(), reason, provider, model, s, rec.startNanos, now);
    }
    if (tracing != null && rec.span != null) {
      tracing.endCall(rec.span, status, reason, provider, s);
    }
    if (accessLog != null) {
      accessLog.write(rec, s, status, reason, provider, duration, attributes);
    }
  }

  @Override
  public UpstreamAttempt upstreamAttempt(
      CallContext call, String provider, String model, int attempt) {
    return upstreamAttempt(call, provider, "default", model, attempt);
  }

  @Override
  public UpstreamAttempt upstreamAttempt(
      CallContext call, String provider, String deployment, String model, int attempt) {
    CallRecord rec = inFlight.get(call.requestId());
    long start = System.nanoTime();
    Object span =
        tracing != null && rec != null && rec.span != null
            ? tracing.startAttempt(rec.span, provider, model, attempt)
            : null;
    return new UpstreamAttempt() {
      private volatile boolean ended;

      @Override
      public void firstToken() {
        if (meters != null) {
          meters.upstreamFirstToken(
              provider, modelLabel(provider, model), System.nanoTime() - start);
        }
      }

      @Override
      public void consumed(String reportedModel, Usage usage, boolean estimated) {
        if (rec == null) {
          return;
        }
        String charged = reportedModel.isEmpty() ? model : reportedModel;
        OptionalLong cost = rec.consumed(provider, charged, usage, estimated);
        if (meters != null && usage.totalTokens() > 0) {
          meters.consumed(
              rec.keyId(),
              provider,
              modelLabel(provider, charged),
              usage,
              estimated,
              cost,
              currency);
        }
      }

      @Override
      public void end(Throwable failure) {
        if (ended) {
          return;
        }
        ended = true;
        long elapsed = System.nanoTime() - start;
        if (rec != null) {
          rec.attemptEnded(elapsed, deployment);
        }
        String outcome =
            failure == null
                ? ""
                : failure instanceof CancellationException ? "CANCELLED" : reasonOf(failure);
        if (meters != null) {
          meters.attemptEnded(provider, deployment, modelLabel(provider, model), outcome, elapsed);
        }
        if (span != null) {
          tracing.endAttempt(span, outcome);
        }
      }
    };
  }

  @Override
  public void retry(
      CallContext call, String provider, String model, ErrorReason reason, Duration backoff) {
    CallRecord rec = inFlight.get(call.requestId());
    if (rec != null) {
      rec.retried(backoff.toNanos());
    }
    if (meters != null) {
      meters.retry(provider, reason.name());
    }
  }

  @Override
  public void fallback(
      CallContext call, String fromProvider, String toProvider, ErrorReason reason) {
    CallRecord rec = inFlight.get(call.requestId());
    if (rec != null) {
      rec.fellBack();
    }
    if (meters != null) {
      meters.fallback(fromProvider, toProvider, reason.name());
    }
  }

  /** Flushes and stops the span exporter and the meters. */
  @Override
  public void close() {
    if (tracing != null) {
      tracing.close();
    }
    if (meters != null) {
      meters.close();
    }
  }

  /** {@code model} if {@code provider} knows it, else {@value #OTHER}: a bounded label value. */
  String modelLabel(String provider, String model) {
    Set<String> known = knownModels.get(provider);
    return known != null && known.contains(model) ? model : OTHER;
  }

  private static String boundedReason(String reason) {
    for (ErrorReason r : ErrorReason.values()) {
      if (r.name().equals(reason)) {
        return reason;
      }
    }
    return OTHER;
  }

  private static String reasonOf(Throwable failure) {
    Throwable t = failure;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof dev.providergateway.provider.GatewayException g
        ? g.reason().name()
        : "INTERNAL";
  }

  private static ErrorInfo errorInfo(Status status, Metadata trailers) {
    if (status.isOk() || trailers == null) {
      return null;
    }
    com.google.rpc.Status proto = StatusProto.fromStatusAndTrailers(status, trailers);
    for (com.google.protobuf.Any any : proto.getDetailsList()) {
      if (any.is(ErrorInfo.class)) {
        try {
          return any.unpack(ErrorInfo.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          return null;
        }
      }
    }
    return null;
  }
}
