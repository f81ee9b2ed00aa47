package dev.providergateway.observability;

import dev.providergateway.config.TracingConfig;
import io.grpc.Metadata;
import io.grpc.Status;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.concurrent.TimeUnit;

/**
 * OpenTelemetry spans: one SERVER span per gRPC call, child of the caller's W3C {@code traceparent}
 * when it sends one, and one CLIENT span per upstream attempt under it. Attribute names follow the
 * RPC and GenAI semantic conventions. Only built when tracing is configured.
 */
final class CallTracing implements AutoCloseable {
  private static final int MAX_ATTRIBUTE = 256;
  private static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  private static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  private static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  private static final AttributeKey<Long> RPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");
  private static final AttributeKey<String> REQUEST_ID =
      AttributeKey.stringKey("gateway.request_id");
  private static final AttributeKey<String> OPERATION =
      AttributeKey.stringKey("gen_ai.operation.name");
  private static final AttributeKey<String> PROVIDER =
      AttributeKey.stringKey("gen_ai.provider.name");
  private static final AttributeKey<String> REQUEST_MODEL =
      AttributeKey.stringKey("gen_ai.request.model");
  private static final AttributeKey<String> RESPONSE_MODEL =
      AttributeKey.stringKey("gen_ai.response.model");
  private static final AttributeKey<Long> INPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.input_tokens");
  private static final AttributeKey<Long> OUTPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.output_tokens");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  private static final AttributeKey<Double> USAGE_COST =
      AttributeKey.doubleKey("gateway.usage.cost");
  private static final AttributeKey<String> USAGE_CURRENCY =
      AttributeKey.stringKey("gateway.usage.currency");
  private static final AttributeKey<Boolean> USAGE_ESTIMATED =
      AttributeKey.booleanKey("gateway.usage.estimated");
  private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("gateway.attempt");

  private static final TextMapGetter<Metadata> METADATA =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Metadata carrier) {
          return carrier.keys();
        }

        @Override
        public String get(Metadata carrier, String key) {
          return carrier == null || key.endsWith(Metadata.BINARY_HEADER_SUFFIX)
              ? null
              : carrier.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        }
      };

  private final SdkTracerProvider provider;
  private volatile String currency = "USD";
  private final Tracer tracer;

  private CallTracing(SdkTracerProvider provider) {
    this.provider = provider;
    this.tracer = provider.get("dev.providergateway");
  }

  /** Batched OTLP/HTTP export to {@code config.otlpEndpoint()}. */
  static CallTracing otlp(TracingConfig config) {
    SpanExporter exporter =
        OtlpHttpSpanExporter.builder().setEndpoint(config.otlpEndpoint()).build();
    return new CallTracing(provider(BatchSpanProcessor.builder(exporter).build(), config));
  }

  /** Spans handed to {@code exporter} as they end (tests). */
  static CallTracing withExporter(SpanExporter exporter, TracingConfig config) {
    return new CallTracing(provider(SimpleSpanProcessor.create(exporter), config));
  }

  private static SdkTracerProvider provider(SpanProcessor processor, TracingConfig config) {
    return SdkTracerProvider.builder()
        .setResource(
            Resource.getDefault()
                .merge(
                    Resource.create(
                        Attributes.of(
                            AttributeKey.stringKey("service.name"), config.serviceName()))))
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
        .addSpanProcessor(processor)
        .build();
  }

  Object startCall(String fullMethod, Metadata headers, String requestId) {
    Context parent =
        W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, METADATA);
    int slash = fullMethod.lastIndexOf('/');
    return tracer
        .spanBuilder(fullMethod)
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(RPC_SYSTEM, "grpc")
        .setAttribute(RPC_SERVICE, fullMethod.substring(0, Math.max(0, slash)))
        .setAttribute(RPC_METHOD, fullMethod.substring(slash + 1))
        .setAttribute(REQUEST_ID, requestId)
        .startSpan();
  }

  /** The call span's trace id (32 hex digits), or null when it has none valid. */
  String traceId(Object handle) {
    var context = ((Span) handle).getSpanContext();
    return context.isValid() ? context.getTraceId() : null;
  }

  /** The currency of the cost attribute. */
  void currency(String currency) {
    this.currency = currency;
  }

  void endCall(
      Object handle, Status status, String reason, String providerName, CallRecord.Snapshot s) {
    Span span = (Span) handle;
    span.setAttribute(RPC_STATUS, (long) status.getCode().value());
    if (!s.requestedModel().isEmpty() || s.requests() > 0) {
      span.setAttribute(OPERATION, "chat");
      span.setAttribute(REQUEST_MODEL, bounded(s.requestedModel()));
    }
    if (!providerName.isEmpty()) {
      span.setAttribute(PROVIDER, providerName);
    }
    if (s.completed() > 0) {
      span.setAttribute(RESPONSE_MODEL, bounded(s.model()));
    }
    if (s.completed() > 0 || s.inputTokens() + s.outputTokens() > 0) {
      span.setAttribute(INPUT_TOKENS, s.inputTokens());
      span.setAttribute(OUTPUT_TOKENS, s.outputTokens());
      span.setAttribute(USAGE_ESTIMATED, s.estimated());
    }
    if (s.costNanos() >= 0) {
      span.setAttribute(USAGE_COST, s.costNanos() / 1e9);
      span.setAttribute(USAGE_CURRENCY, currency);
    }
    if (!status.isOk()) {
      span.setAttribute(ERROR_TYPE, reason);
      span.setStatus(StatusCode.ERROR, reason);
    }
    span.end();
  }

  Object startAttempt(Object parent, String providerName, String model, int attempt) {
    return tracer
        .spanBuilder("chat " + bounded(model))
        .setParent(Context.root().with((Span) parent))
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(OPERATION, "chat")
        .setAttribute(PROVIDER, providerName)
        .setAttribute(REQUEST_MODEL, bounded(model))
        .setAttribute(ATTEMPT, (long) attempt)
        .startSpan();
  }

  /**
   * The W3C {@code traceparent} of {@code handle}'s span, for upstream requests; null when the span
   * is not valid (so nothing is sent).
   */
  static String traceparent(Object handle) {
    var context = ((Span) handle).getSpanContext();
    if (!context.isValid()) {
      return null;
    }
    return "00-"
        + context.getTraceId()
        + "-"
        + context.getSpanId()
        + "-"
        + context.getTraceFlags().asHex();
  }

  void endAttempt(Object handle, String outcome) {
    Span span = (Span) handle;
    if (!outcome.isEmpty()) {
      span.setAttribute(ERROR_TYPE, outcome);
      if (!outcome.equals("CANCELLED")) {
        span.setStatus(StatusCode.ERROR, outcome);
      }
    }
    span.end();
  }

  /**
   * Spans keep the real model (they are not aggregated into series, so a caller's model costs one
   * attribute of one span), bounded in length since an upstream may report anything.
   */
  private static String bounded(String value) {
    return value.length() > MAX_ATTRIBUTE ? value.substring(0, MAX_ATTRIBUTE) : value;
  }

  @Override
  public void close() {
    provider.shutdown().join(5, TimeUnit.SECONDS);
  }
}
