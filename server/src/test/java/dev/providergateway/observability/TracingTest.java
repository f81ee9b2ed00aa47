package dev.providergateway.observability;

import static dev.providergateway.testing.Requests.chat;
import static dev.providergateway.testing.Requests.extra;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.providergateway.config.GatewayConfig;
import dev.providergateway.config.LoggingConfig;
import dev.providergateway.config.MetricsConfig;
import dev.providergateway.config.TracingConfig;
import dev.providergateway.server.GatewayServer;
import dev.providergateway.testing.ResponseHeaders;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Spans per call and per upstream attempt, into an in-memory exporter. */
class TracingTest {
  private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final String PARENT_SPAN = "b7ad6b7169203331";

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private GatewayServer gateway;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    GatewayConfig config = GatewayConfig.defaults();
    Telemetry telemetry =
        Telemetry.create(
            MetricsConfig.defaults(),
            TracingConfig.defaults(),
            new LoggingConfig(LoggingConfig.Format.TEXT, LoggingConfig.Level.INFO, true),
            spans);
    gateway =
        GatewayServer.builder(InProcessServerBuilder.forName(name), config, Clock.systemUTC())
            .telemetry(telemetry)
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    gateway.shutdown();
  }

  @Test
  void chat_withIncomingTraceparent_isAServerSpanUnderTheCallersSpan() {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
        "00-" + TRACE_ID + "-" + PARENT_SPAN + "-01");
    var capture = new ResponseHeaders();
    ProviderServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers), capture)
        .chat(chat("echo", "traced call").build());

    SpanData span = awaitSpan(s -> s.getName().equals("providergateway.v1.ProviderService/Chat"));
    assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(span.getParentSpanId()).isEqualTo(PARENT_SPAN);
    assertThat(span.getAttributes().get(AttributeKey.stringKey("gateway.request_id")))
        .isEqualTo(capture.requestIds.peek());
    assertThat(span.getAttributes().get(AttributeKey.stringKey("gen_ai.provider.name")))
        .isEqualTo("echo");
    assertThat(span.getAttributes().get(AttributeKey.stringKey("gen_ai.response.model")))
        .isEqualTo("echo-1");
    assertThat(span.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")))
        .isEqualTo(2L);
    assertThat(span.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code"))).isZero();
  }

  @Test
  void logLines_tracingOn_carryTheCallsTraceIdInBothFormats() throws Exception {
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    // The production handler: records are formatted later, on its writer thread.
    AsyncLogHandler jsonHandler = new AsyncLogHandler(json);
    jsonHandler.setFormatter(new JsonLogFormatter());
    AsyncLogHandler textHandler = new AsyncLogHandler(text);
    textHandler.setFormatter(new TextLogFormatter());
    Logger access = Logger.getLogger(AccessLog.LOGGER);
    Logger inCall = Logger.getLogger("dev.providergateway.test.incall");
    for (Logger l : new Logger[] {access, inCall}) {
      l.addHandler(jsonHandler);
      l.addHandler(textHandler);
    }
    try {
      Metadata headers = new Metadata();
      headers.put(
          Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
          "00-" + TRACE_ID + "-" + PARENT_SPAN + "-01");
      ProviderServiceGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .chat(chat("echo", "traced call").build());
      awaitSpan(s -> s.getKind() == SpanKind.SERVER);
      CallRecord rec = new CallRecord("req-1", "Chat", false, System.nanoTime());
      rec.traceId = TRACE_ID;
      Context.current().withValue(CallRecord.KEY, rec).run(() -> inCall.info("inside a call"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < deadline
          && !(json.toString(UTF_8).contains("inside a call")
              && json.toString(UTF_8).contains("\"access\""))) {
        jsonHandler.flush();
        textHandler.flush();
        Thread.sleep(10);
      }
    } finally {
      for (Logger l : new Logger[] {access, inCall}) {
        l.removeHandler(jsonHandler);
        l.removeHandler(textHandler);
      }
      jsonHandler.close();
      textHandler.close();
    }

    var mapper = new ObjectMapper();
    var lines = json.toString(UTF_8).lines().map(l -> readTree(mapper, l)).toList();
    assertThat(lines)
        .anySatisfy(
            l -> {
              assertThat(l.path("message").asText()).isEqualTo("access");
              assertThat(l.path("trace_id").asText()).isEqualTo(TRACE_ID);
            })
        .anySatisfy(
            l -> {
              assertThat(l.path("message").asText()).isEqualTo("inside a call");
              assertThat(l.path("request_id").asText()).isEqualTo("req-1");
              assertThat(l.path("trace_id").asText()).isEqualTo(TRACE_ID);
            });
    assertThat(text.toString(UTF_8))
        .contains("trace_id=" + TRACE_ID + " method=Chat")
        .contains("[req-1 trace_id=" + TRACE_ID + "] - inside a call");
  }

  @Test
  void logLines_tracingOff_haveNoTraceId() throws Exception {
    CallRecord rec = new CallRecord("req-2", "Chat", false, System.nanoTime());
    java.util.logging.LogRecord record =
        new java.util.logging.LogRecord(java.util.logging.Level.INFO, "no tracing");
    String line =
        Context.current()
            .withValue(CallRecord.KEY, rec)
            .call(() -> new JsonLogFormatter().format(record));
    assertThat(line).contains("\"request_id\":\"req-2\"").doesNotContain("trace_id");
  }

  private static com.fasterxml.jackson.databind.JsonNode readTree(ObjectMapper mapper, String l) {
    try {
      return mapper.readTree(l);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + l, e);
    }
  }

  /** The first finished span that {@code match}es, waiting for it up to 5 s. */
  private SpanData awaitSpan(java.util.function.Predicate<SpanData> match) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      var found = spans.getFinishedSpanItems().stream().filter(match).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      Thread.onSpinWait();
    }
    throw new AssertionError(
        "no matching span within 5 s; finished: " + spans.getFinishedSpanItems());
  }

  /** The server ends a call's span after the client may have seen its end. */
  private java.util.List<SpanData> awaitSpans(int count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (spans.getFinishedSpanItems().size() < count && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    return spans.getFinishedSpanItems();
  }

  @Test
  void failedCall_spanHasErrorStatusAndReason() {
    catchThrowableOfType(
        StatusRuntimeException.class,
        () -> ProviderServiceGrpc.newBlockingStub(channel).chat(chat("nope", "x").build()));

    SpanData span = awaitSpans(1).get(0);
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo("PROVIDER_NOT_FOUND");
    assertThat(span.getParentSpanContext().isValid()).isFalse();
  }

  @Test
  void upstreamAttempt_duringCall_isAClientSpanUnderTheCallSpan() throws Exception {
    // The dispatcher reports the upstream attempt itself.
    ProviderServiceGrpc.newBlockingStub(channel).stream(
            chat("echo", "a b c").setExtra(extra("echo_delay_ms", 20)).build())
        .forEachRemaining(c -> {});

    SpanData call = awaitSpan(s -> s.getKind() == SpanKind.SERVER);
    SpanData upstream = awaitSpan(s -> s.getKind() == SpanKind.CLIENT);
    assertThat(upstream.getName()).isEqualTo("chat echo-1");
    assertThat(upstream.getParentSpanId()).isEqualTo(call.getSpanId());
    assertThat(upstream.getTraceId()).isEqualTo(call.getTraceId());
  }
}
