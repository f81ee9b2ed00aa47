package dev.providergateway.api;

import static dev.providergateway.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.config.GatewayConfig;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.testing.Statuses;
import dev.providergateway.testing.TestGateway;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A timeout's ErrorInfo names the limit that fired, through the real dispatcher and upstream. */
class TimeoutErrorInfoTest {
  private final FakeUpstream upstream = FakeUpstream.start();
  private TestGateway gateway;

  @AfterEach
  void close() throws InterruptedException {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  @Test
  void chat_defaultDeadlineFires_errorInfoCarriesTimeoutMs() {
    GatewayConfig config =
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
    gateway =
        new TestGateway(
            config.withResilience(
                TestGateway.NO_RETRIES.toBuilder()
                    .timeouts(
                        Duration.ofMillis(300), Duration.ofSeconds(30), Duration.ofSeconds(30))
                    .build()));
    // The upstream never answers: headers come only after the gateway's deadline.
    upstream.enqueue(
        Response.stream(200, "application/json", Duration.ZERO, java.util.List.of()).thenHang(" "));

    var failure =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> gateway.blocking().chat(chat("oai", "hi").build()));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    var info = Statuses.errorInfo(Statuses.of(failure));
    assertThat(info.getReason()).isEqualTo("PROVIDER_TIMEOUT");
    assertThat(info.getMetadataMap()).containsEntry("timeout_ms", "300");
  }
}
