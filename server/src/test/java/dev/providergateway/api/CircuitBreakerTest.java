package dev.providergateway.api;

import static dev.providergateway.testing.Requests.chat;
import static dev.providergateway.testing.Requests.extra;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.providergateway.config.GatewayConfig;
import dev.providergateway.testing.Statuses;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CircuitState;
import dev.providergateway.v1.ListProvidersRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-provider breaker through the service: opens after 5 consecutive upstream failures, fails
 * fast with CIRCUIT_OPEN and RetryInfo, half-opens after 30 s of (injected) time, closes after 2
 * trial successes or reopens on a trial failure.
 */
class CircuitBreakerTest {
  private final TestGateway gateway = new TestGateway(GatewayConfig.defaults());
  private final ChatRequest failing =
      chat("echo", "hi").setExtra(extra("echo_error", "PROVIDER_UNAVAILABLE")).build();
  private final ChatRequest healthy = chat("echo", "hi").build();

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
  }

  @Test
  void chat_fiveConsecutiveFailures_opensAndFailsFastWithRetryInfo() {
    failTimes(4);
    assertThat(state()).isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
    failTimes(1);

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> gateway.blocking().chat(healthy));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    com.google.rpc.Status status = Statuses.of(e);
    assertThat(Statuses.errorInfo(status).getReason()).isEqualTo("CIRCUIT_OPEN");
    assertThat(Statuses.retryInfo(status))
        .hasValueSatisfying(r -> assertThat(r.getRetryDelay().getSeconds()).isEqualTo(30));
    assertThat(state()).isEqualTo(CircuitState.CIRCUIT_STATE_OPEN);
  }

  @Test
  void chat_successBetweenFailures_keepsCircuitClosed() {
    failTimes(4);
    gateway.blocking().chat(healthy);
    failTimes(4);

    assertThat(state()).isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
  }

  @Test
  void chat_afterOpenPeriod_halfOpensAndTwoSuccessesClose() {
    failTimes(5);
    gateway.clock.advance(Duration.ofSeconds(29));
    assertThat(reason(healthy)).isEqualTo("CIRCUIT_OPEN");

    gateway.clock.advance(Duration.ofSeconds(2));
    gateway.blocking().chat(healthy);
    assertThat(state()).isEqualTo(CircuitState.CIRCUIT_STATE_HALF_OPEN);
    gateway.blocking().chat(healthy);

    assertThat(state()).isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
  }

  @Test
  void chat_failureWhileHalfOpen_reopens() {
    failTimes(5);
    gateway.clock.advance(Duration.ofSeconds(31));
    gateway.blocking().chat(healthy);

    assertThat(reason(failing)).isEqualTo("PROVIDER_UNAVAILABLE");

    assertThat(state()).isEqualTo(CircuitState.CIRCUIT_STATE_OPEN);
    assertThat(reason(healthy)).isEqualTo("CIRCUIT_OPEN");
  }

  @Test
  void chat_authFailuresAndInvalidRequests_neverOpenCircuit() {
    ChatRequest auth = chat("echo", "hi").setExtra(extra("echo_error", "PROVIDER_AUTH")).build();
    ChatRequest invalid = chat("echo", "hi").setTemperature(7).build();
    ChatRequest rejected =
        chat("echo", "hi").setExtra(extra("echo_error", "PROVIDER_ERROR")).build();
    for (int i = 0; i < 6; i++) {
      reason(auth);
      reason(invalid);
      reason(rejected);
    }

    assertThat(state()).isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
    assertThat(gateway.blocking().chat(healthy).getContent()).isEqualTo("hi");
  }

  @Test
  void stream_failuresBeforeOutput_countTowardsOpening() {
    ChatRequest failingStream =
        chat("echo", "hi").setExtra(extra("echo_error", "PROVIDER_TIMEOUT")).build();
    for (int i = 0; i < 5; i++) {
      catchThrowableOfType(
          StatusRuntimeException.class,
          () -> gateway.blocking().stream(failingStream).forEachRemaining(c -> {}));
    }

    assertThat(state()).isEqualTo(CircuitState.CIRCUIT_STATE_OPEN);
  }

  private void failTimes(int n) {
    for (int i = 0; i < n; i++) {
      assertThat(reason(failing)).isEqualTo("PROVIDER_UNAVAILABLE");
    }
  }

  private String reason(ChatRequest request) {
    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> gateway.blocking().chat(request));
    return Statuses.errorInfo(Statuses.of(e)).getReason();
  }

  private CircuitState state() {
    return gateway
        .blocking()
        .listProviders(ListProvidersRequest.getDefaultInstance())
        .getProvidersList()
        .stream()
        .filter(p -> p.getName().equals("echo"))
        .findFirst()
        .orElseThrow()
        .getCircuitState();
  }
}
