package dev.providergateway.observability;

import static dev.providergateway.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.config.LoggingConfig;
import dev.providergateway.config.MetricsConfig;
import dev.providergateway.config.TracingConfig;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.server.GatewayServer;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With tracing on, the upstream request carries a W3C {@code traceparent} in the caller's trace, so
 * a provider-side trace joins it; with tracing off it carries none.
 */
class UpstreamTraceparentTest {
  private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final String ANSWER =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,"
          + "\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";

  private final FakeUpstream upstream = FakeUpstream.start();
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private GatewayServer gateway;
  private ManagedChannel channel;

  private void start(boolean tracing) throws Exception {
    String name = InProcessServerBuilder.generateName();
    var config =
        ConfigLoader.parse(
            """
            providers:
              - name: oai
                type: openai
                base_url: %s/v1
                api_key: sk-gateway-test-0123456789
                default_model: gpt-4o-mini
            """
                .formatted(upstream.baseUri()),
            Map.of());
    var builder =
        GatewayServer.builder(InProcessServerBuilder.forName(name), config, Clock.systemUTC());
    if (tracing) {
      builder.telemetry(
          Telemetry.create(
              MetricsConfig.defaults(),
              TracingConfig.defaults(),
              new LoggingConfig(LoggingConfig.Format.TEXT, LoggingConfig.Level.INFO, false),
              spans));
    }
    gateway = builder.build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    gateway.shutdown();
    upstream.close();
  }

  @Test
  void chat_tracingOn_upstreamRequestCarriesTraceparentInTheCallersTrace() throws Exception {
    start(true);
    upstream.enqueue(Response.json(200, ANSWER));
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
        "00-" + TRACE_ID + "-b7ad6b7169203331-01");

    ProviderServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .chat(chat("oai", "traced").build());

    String sent = upstream.takeRequest().header("traceparent");
    assertThat(sent).matches("00-" + TRACE_ID + "-[0-9a-f]{16}-01");
    assertThat(sent).doesNotContain("b7ad6b7169203331");
  }

  @Test
  void chat_tracingOff_noTraceparentUpstream() throws Exception {
    start(false);
    upstream.enqueue(Response.json(200, ANSWER));

    ProviderServiceGrpc.newBlockingStub(channel).chat(chat("oai", "untraced").build());

    assertThat(upstream.takeRequest().header("traceparent")).isNull();
  }
}
