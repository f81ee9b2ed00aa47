package dev.providergateway.observability;

import static dev.providergateway.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ErrorReason;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.server.GatewayServer;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Prometheus metrics scraped over HTTP from a real Netty gateway after real calls. */
class MetricsEndpointTest {
  private GatewayServer gateway;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    var config =
        ConfigLoader.parse(
            """
        server: {host: 127.0.0.1, port: 0}
        metrics: {enabled: true, port: 0}
        logging: {access_log: false}
        """,
            Map.of());
    gateway = GatewayServer.netty(config, Map.of(), Clock.systemUTC()).start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    gateway.shutdown();
  }

  @Test
  void scrape_afterCalls_reportsRequestsErrorsLatencyTokensAndBreakers() throws Exception {
    var stub = ProviderServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    stub.chat(chat("echo", "one two three").build());
    stub.stream(chat("echo", "four five").build()).forEachRemaining(c -> {});
    catchThrowableOfType(StatusRuntimeException.class, () -> stub.chat(chat("nope", "x").build()));

    String text = scrapeUntil("rpc_grpc_status_code=\"NOT_FOUND\"");

    assertThat(
            value(
                text,
                "gateway_requests_total",
                "rpc_method=\"Chat\"",
                "rpc_grpc_status_code=\"OK\"",
                "gen_ai_provider_name=\"echo\""))
        .isEqualTo(1.0);
    assertThat(
            value(
                text,
                "gateway_requests_total",
                "rpc_method=\"Chat\"",
                "rpc_grpc_status_code=\"NOT_FOUND\""))
        .isEqualTo(1.0);
    assertThat(
            value(
                text,
                "gateway_errors_total",
                "rpc_method=\"Chat\"",
                "error_type=\"PROVIDER_NOT_FOUND\"",
                "gen_ai_provider_name=\"\""))
        .isEqualTo(1.0);
    // A success carries no error_type label at all (not an empty one).
    assertThat(text).doesNotContain("error_type=\"\"");
    assertThat(
            value(
                text,
                "gen_ai_server_request_duration_seconds_count",
                "rpc_method=\"Chat\"",
                "gen_ai_response_model=\"echo-1\""))
        .isEqualTo(1.0);
    assertThat(
            value(
                text,
                "gen_ai_server_request_duration_seconds_count",
                "rpc_method=\"Stream\"",
                "gen_ai_response_model=\"echo-1\""))
        .isEqualTo(1.0);
    // Chat: 3 prompt words; Stream: 2. Echo answers with the same words.
    assertThat(
            value(
                text,
                "gen_ai_client_token_usage_sum",
                "rpc_method=\"Chat\"",
                "gen_ai_token_type=\"input\""))
        .isEqualTo(3.0);
    assertThat(
            value(
                text,
                "gen_ai_client_token_usage_sum",
                "rpc_method=\"Stream\"",
                "gen_ai_token_type=\"output\""))
        .isEqualTo(2.0);
    assertThat(
            value(text, "gen_ai_server_time_to_first_token_seconds_count", "rpc_method=\"Stream\""))
        .isEqualTo(1.0);
    // The GenAI conventions' time-to-first-token buckets start at 1 ms; echo answers well within
    // the last (10 s) one.
    assertThat(
            value(
                text,
                "gen_ai_server_time_to_first_token_seconds_bucket",
                "rpc_method=\"Stream\"",
                "le=\"0.001\""))
        .isBetween(0.0, 1.0);
    assertThat(
            value(
                text,
                "gen_ai_server_time_to_first_token_seconds_bucket",
                "rpc_method=\"Stream\"",
                "le=\"10.0\""))
        .isEqualTo(1.0);
    assertThat(
            value(
                text, "gen_ai_server_time_per_output_token_seconds_count", "rpc_method=\"Stream\""))
        .isEqualTo(1.0);
    assertThat(value(text, "gateway_streams_active", "rpc_method=\"Stream\"")).isEqualTo(0.0);
    assertThat(
            value(
                text,
                "gateway_circuit_breaker_state",
                "gen_ai_provider_name=\"echo\"",
                "state=\"closed\""))
        .isEqualTo(1.0);
    assertThat(
            value(
                text,
                "gateway_circuit_breaker_state",
                "gen_ai_provider_name=\"echo\"",
                "state=\"open\""))
        .isEqualTo(0.0);
    assertThat(text).doesNotContain("\"nope\"");
    assertThat(scrapeUntil("jvm_memory_used_bytes")).contains("jvm_memory_used_bytes");
  }

  @Test
  void scrape_dispatcherHooks_reportAttemptsRetriesFallbacksAndOverhead() throws Exception {
    var stub = ProviderServiceGrpc.newStub(channel);
    var done = new java.util.concurrent.CountDownLatch(1);
    var capture = new dev.providergateway.testing.ResponseHeaders();
    stub.withInterceptors(capture).stream(
        chat("echo", "slow words here")
            .setExtra(dev.providergateway.testing.Requests.extra("echo_delay_ms", 150))
            .build(),
        new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(dev.providergateway.v1.StreamChunk value) {}

          @Override
          public void onError(Throwable t) {
            done.countDown();
          }

          @Override
          public void onCompleted() {
            done.countDown();
          }
        });
    String id = capture.requestIds.poll(10, TimeUnit.SECONDS);
    CallContext call = new CallContext(id, null);
    GatewayMetrics metrics = gateway.telemetry();
    var failed = metrics.upstreamAttempt(call, "echo", "echo-1", 1);
    failed.end(
        new ProviderException.Unavailable(
            new ProviderException.Origin("echo", "echo-1", 503), "down", null));
    metrics.retry(call, "echo", "echo-1", ErrorReason.PROVIDER_UNAVAILABLE, Duration.ofMillis(5));
    metrics.fallback(call, "echo", "mirror", ErrorReason.PROVIDER_UNAVAILABLE);
    // The successful attempt and its first token are reported by the dispatcher itself.
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();

    String text = scrapeUntil("gateway_overhead_seconds_count");

    assertThat(
            value(
                text,
                "gen_ai_client_operation_duration_seconds_count",
                "gen_ai_request_model=\"echo-1\"",
                "error_type=\"PROVIDER_UNAVAILABLE\""))
        .isEqualTo(1.0);
    // The successful attempt: the model label, and no error_type.
    assertThat(text)
        .containsPattern(
            "(?m)^gen_ai_client_operation_duration_seconds_count\\{gateway_deployment=\"default\","
                + "gen_ai_operation_name=\"chat\","
                + "gen_ai_provider_name=\"echo\",gen_ai_request_model=\"echo-1\"\\} 1(\\.0)?$");
    assertThat(
            value(
                text,
                "gateway_upstream_retries_total",
                "gen_ai_provider_name=\"echo\"",
                "error_type=\"PROVIDER_UNAVAILABLE\""))
        .isEqualTo(1.0);
    assertThat(value(text, "gateway_fallbacks_total", "to_provider=\"mirror\"")).isEqualTo(1.0);
    assertThat(
            value(
                text,
                "gateway_upstream_time_to_first_token_seconds_count",
                "gen_ai_provider_name=\"echo\"",
                "gen_ai_request_model=\"echo-1\""))
        .isEqualTo(1.0);
    assertThat(value(text, "gateway_overhead_seconds_count", "rpc_method=\"Stream\""))
        .isEqualTo(1.0);
  }

  @Test
  void scrape_callerChosenModels_becomeOneOtherLabel() throws Exception {
    var stub = ProviderServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    // Echo reports the requested model back, as many OpenAI-compatible upstreams do.
    for (int i = 0; i < 20; i++) {
      stub.chat(chat("echo", "hi").setModel("random-model-" + i).build());
      stub.stream(chat("echo", "hi").setModel("streamed-model-" + i).build())
          .forEachRemaining(c -> {});
    }
    stub.chat(chat("echo", "hi").build());

    String text = scrapeUntil("gen_ai_response_model=\"echo-1\"");

    assertThat(text).doesNotContain("random-model-").doesNotContain("streamed-model-");
    assertThat(
            value(
                text,
                "gen_ai_server_request_duration_seconds_count",
                "rpc_method=\"Chat\"",
                "gen_ai_response_model=\"other\""))
        .isEqualTo(20.0);
    assertThat(
            value(
                text,
                "gen_ai_server_request_duration_seconds_count",
                "rpc_method=\"Chat\"",
                "gen_ai_response_model=\"echo-1\""))
        .isEqualTo(1.0);
  }

  @Test
  void scrape_beforeAnyCall_everyCounterAndHistogramExistsAtZero() throws Exception {
    String text = scrape("/metrics");

    assertThat(value(text, "gateway_config_reloads_total", "result=\"applied\"")).isZero();
    assertThat(value(text, "gateway_config_reloads_total", "result=\"rejected\"")).isZero();
    for (String method : new String[] {"Chat", "Stream", "Converse"}) {
      String m = "rpc_method=\"" + method + "\"";
      String echo = "gen_ai_provider_name=\"echo\"";
      assertThat(value(text, "gateway_requests_total", m, echo, "rpc_grpc_status_code=\"OK\""))
          .isZero();
      for (ErrorReason reason : ErrorReason.values()) {
        assertThat(value(text, "gateway_errors_total", m, echo, "error_type=\"" + reason + "\""))
            .isZero();
      }
      assertThat(
              value(
                  text,
                  "gen_ai_server_request_duration_seconds_count",
                  m,
                  echo,
                  "gen_ai_response_model=\"echo-1\""))
          .isZero();
      assertThat(
              value(
                  text, "gen_ai_client_token_usage_count", m, echo, "gen_ai_token_type=\"output\""))
          .isZero();
      assertThat(value(text, "gateway_overhead_seconds_count", m, echo)).isZero();
    }
    assertThat(
            value(
                text,
                "gen_ai_server_time_to_first_token_seconds_bucket",
                "rpc_method=\"Stream\"",
                "le=\"0.001\""))
        .isZero();
    assertThat(
            value(
                text,
                "gen_ai_server_time_per_output_token_seconds_count",
                "rpc_method=\"Converse\""))
        .isZero();
    assertThat(text)
        .containsPattern(
            "(?m)^gen_ai_client_operation_duration_seconds_count\\{gateway_deployment=\"default\","
                + "gen_ai_operation_name=\"chat\","
                + "gen_ai_provider_name=\"echo\",gen_ai_request_model=\"echo-1\"\\} 0(\\.0)?$");
    assertThat(
            value(
                text,
                "gateway_upstream_time_to_first_token_seconds_bucket",
                "gen_ai_provider_name=\"echo\"",
                "le=\"0.001\""))
        .isZero();
    assertThat(
            value(
                text,
                "gateway_upstream_retries_total",
                "gen_ai_provider_name=\"echo\"",
                "error_type=\"PROVIDER_RATE_LIMIT\""))
        .isZero();
    assertThat(value(text, "gateway_streams_active", "rpc_method=\"Converse\"")).isZero();
    assertThat(
            value(
                text,
                "gateway_requests_total",
                "rpc_method=\"ListProviders\"",
                "rpc_grpc_status_code=\"OK\""))
        .isZero();
  }

  @Test
  void scrape_otherPathOrMethod_isRefused() throws Exception {
    var client = HttpClient.newHttpClient();
    var base = "http://127.0.0.1:" + gateway.metricsPort();
    assertThat(
            client
                .send(
                    HttpRequest.newBuilder(URI.create(base + "/other")).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode())
        .isEqualTo(404);
    assertThat(
            client
                .send(
                    HttpRequest.newBuilder(URI.create(base + "/metrics"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode())
        .isEqualTo(405);
  }

  /** The server records a call just after the client sees its end: scrape until it shows. */
  private String scrapeUntil(String expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    String text = scrape("/metrics");
    while (!text.contains(expected) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      text = scrape("/metrics");
    }
    return text;
  }

  private String scrape(String path) throws Exception {
    var response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.metricsPort() + path))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    return response.body();
  }

  /** The value of the one sample of {@code name} whose labels contain all of {@code labels}. */
  static double value(String text, String name, String... labels) {
    Double found = null;
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$").matcher(text);
    while (m.find()) {
      boolean all = true;
      for (String label : labels) {
        all &= m.group(1).contains(label);
      }
      if (all) {
        assertThat(found)
            .as("more than one sample of %s with %s", name, String.join(",", labels))
            .isNull();
        found = Double.parseDouble(m.group(2));
      }
    }
    assertThat(found)
        .as("a sample of %s with %s in:%n%s", name, String.join(",", labels), text)
        .isNotNull();
    return found;
  }
}
