package dev.providergateway.observability;

import com.google.rpc.ErrorInfo;
import dev.providergateway.config.LoggingConfig;
import dev.providergateway.config.MetricsConfig;
import dev.providergateway.config.TracingConfig;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ErrorReason;
import dev.providergateway.registry.RegisteredProvider;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The gateway's telemetry, owned by the server for its whole life (config reloads keep it): the
 * Prometheus meters (when {@code metrics.enabled}), the trace spans (when {@code
 * tracing.otlp_endpoint} is set; the OpenTelemetry SDK is not loaded otherwise) and the access log.
 * It is also the dispatcher's {@link GatewayMetrics}, matching its reports to calls by request id.
 * Thread-safe.
 */
public final class Telemetry implements GatewayMetrics, AutoCloseable {
  private final GatewayMeters meters;
  private final CallTracing tracing;
  private final AccessLog accessLog;
  private final Map<String, CallRecord> inFlight = new ConcurrentHashMap<>();
  private volatile Set<String> providerNames = Set.of();

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

  /** The providers now served: their breaker-state gauges, and the names allowed as labels. */
  public void servingProviders(List<RegisteredProvider> providers) {
    providerNames =
        providers.stream().map(RegisteredProvider::name).collect(Collectors.toUnmodifiableSet());
    if (meters != null) {
      meters.breakers(providers);
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
    }
    return rec;
  }

  void finished(CallRecord rec, Status status, Metadata trailers, Attributes attributes) {
    long now = System.nanoTime();
    inFlight.remove(rec.requestId, rec);
    CallRecord.Snapshot s = rec.snapshot();
    ErrorInfo info = errorInfo(status, trailers);
    String reason =
        info == null ? (status.isOk() ? "" : status.getCode().name()) : info.getReason();
    String provider =
        !s.provider().isEmpty()
            ? s.provider()
            : info != null && providerNames.contains(info.getMetadataOrDefault("provider", ""))
                ? info.getMetadataOrDefault("provider", "")
                : providerNames.contains(s.requestedProvider()) ? s.requestedProvider() : "";
    long duration = now - rec.startNanos;
    if (meters != null) {
      if (rec.streaming) {
        meters.streamEnded(rec.method);
      }
      meters.callEnded(rec.method, status.getCode(), reason, provider, s, rec.startNanos, now);
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
          meters.upstreamFirstToken(provider, System.nanoTime() - start);
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
          rec.attemptEnded(elapsed);
        }
        String outcome =
            failure == null
                ? ""
                : failure instanceof CancellationException ? "CANCELLED" : reasonOf(failure);
        if (meters != null) {
          meters.attemptEnded(provider, outcome, elapsed);
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
