package dev.providergateway.resilience;

import static dev.providergateway.v1.CircuitState.CIRCUIT_STATE_CLOSED;
import static dev.providergateway.v1.CircuitState.CIRCUIT_STATE_HALF_OPEN;
import static dev.providergateway.v1.CircuitState.CIRCUIT_STATE_OPEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.testing.Requests;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.ProviderServiceGrpc;
import dev.providergateway.v1.StreamChunk;
import io.grpc.Status;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The provider breaker through real HTTP failures, with the injected clock moving it through its
 * states: closed, open after 3 counted upstream failures (failing fast with CIRCUIT_OPEN and
 * RetryInfo, without reaching the upstream), half-open once the 30 s open period passed, closed
 * after 2 trial successes or open again after a trial failure. Only upstream failures count: never
 * auth failures, other 4xx rejections, invalid requests or cancellations; for streams a failure
 * before the first output counts, one after it does not, and a client cancel counts as a success if
 * output was sent, else releases its permission.
 */
class BreakerLifecycleTest {
  private final FakeUpstream upstream = FakeUpstream.startTracked().otherwise(Upstreams.byModel());
  private final FaultGateway gateway =
      new FaultGateway(
          """
      providers:
        - name: up
          type: openai
          base_url: %s/v1
          api_key: k
          default_model: ok
          breaker: {failure_threshold: 3, open_duration: 30s, half_open_calls: 2, half_open_successes_to_close: 2}
      resilience:
        max_retries: 0
        first_token_timeout: 5s
        idle_timeout: 5s
      """
              .formatted(upstream.baseUri()));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
    upstream.close();
  }

  @Test
  void chat_threeUpstreamFailures_opensFailsFastThenHalfOpensAndTwoSuccessesClose() {
    fail(3);
    assertThat(gateway.breaker("up")).isEqualTo(CIRCUIT_STATE_OPEN);

    Outcome refused = gateway.chat(request("ok"));

    assertThat(refused.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(refused.reason()).isEqualTo("CIRCUIT_OPEN");
    assertThat(refused.retryDelay()).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(30));
    assertThat(upstream.requestCount())
        .as("an open breaker keeps calls from the upstream")
        .isEqualTo(3);

    gateway.clock.advance(Duration.ofSeconds(30).plusMillis(1));
    assertThat(gateway.chat(request("ok")).ok()).isTrue();
    assertThat(gateway.breaker("up")).isEqualTo(CIRCUIT_STATE_HALF_OPEN);
    assertThat(gateway.chat(request("ok")).ok()).isTrue();
    assertThat(gateway.breaker("up")).isEqualTo(CIRCUIT_STATE_CLOSED);
    assertThat(upstream.requestCount()).isEqualTo(5);
  }

  @Test
  void chat_failureWhileHalfOpen_reopensForAnotherPeriod() {
    fail(3);
    gateway.clock.advance(Duration.ofSeconds(31));

    fail(1);

    assertThat(gateway.breaker("up")).isEqualTo(CIRCUIT_STATE_OPEN);
    Outcome refused = gateway.chat(request("ok"));
    assertThat(refused.reason()).isEqualTo("CIRCUIT_OPEN");
    assertThat(refused.retryDelay()).isGreaterThan(Duration.ofSeconds(29));
    assertThat(upstream.requestCount()).isEqualTo(4);
  }

  @Test
  void calls_authRejectionsMissingModelsInvalidRequestsAndCancels_neverOpen() throws Exception {
    for (int i = 0; i < 4; i++) {
      assertThat(gateway.chat(request("auth")).code()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(gateway.stream(request("auth")).code()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(gateway.chat(request("bad")).code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      assertThat(gateway.chat(request("missing")).code()).isEqualTo(Status.Code.NOT_FOUND);
      assertThat(
              gateway.chat(Requests.chat("up", "").setModel("ok").clearMessages().build()).code())
          .isEqualTo(Status.Code.INVALID_ARGUMENT);
      cancelChatBeforeOutput();
      cancelStreamBeforeOutput();
    }

    assertThat(gateway.breaker("up")).isEqualTo(CIRCUIT_STATE_CLOSED);
    fail(3);
    assertThat(gateway.breaker("up"))
        .as("upstream failures still count")
        .isEqualTo(CIRCUIT_STATE_OPEN);
  }

  @Test
  void stream_failuresBeforeFirstOutput_countAndOpen() {
    for (int i = 0; i < 3; i++) {
      assertThat(gateway.stream(request("fail")).reason()).isEqualTo("PROVIDER_UNAVAILABLE");
    }

    assertThat(gateway.breaker("up")).isEqualTo(CIRCUIT_STATE_OPEN);
    assertThat(gateway.stream(request("ok")).reason()).isEqualTo("CIRCUIT_OPEN");
  }

  @Test
  void stream_failuresAfterFirstOutput_neverCount() {
    for (int i = 0; i < 5; i++) {
      Outcome died = gateway.stream(request("dies"));
      assertThat(died.content()).isEqualTo("Hel");
      assertThat(died.reason()).isEqualTo("PROVIDER_CONNECTION");
    }

    assertThat(gateway.breaker("up")).isEqualTo(CIRCUIT_STATE_CLOSED);
  }

  @Test
  void stream_halfOpenClientCancelsAfterOutput_countsAsSuccessAndCloses() throws Exception {
    fail(3);
    gateway.clock.advance(Duration.ofSeconds(31));

    cancelStreamAfterOutput();
    assertThat(gateway.breaker("up")).isEqualTo(CIRCUIT_STATE_HALF_OPEN);
    cancelStreamAfterOutput();

    assertThat(gateway.breaker("up")).isEqualTo(CIRCUIT_STATE_CLOSED);
  }

  @Test
  void stream_halfOpenClientCancelsBeforeOutput_releasesTrialPermissions() throws Exception {
    fail(3);
    gateway.clock.advance(Duration.ofSeconds(31));

    // Three cancelled trials with two trial permissions: each must have given its permission back.
    for (int i = 0; i < 3; i++) {
      cancelStreamBeforeOutput();
    }

    assertThat(gateway.breaker("up")).isEqualTo(CIRCUIT_STATE_HALF_OPEN);
    assertThat(gateway.chat(request("ok")).ok()).isTrue();
    assertThat(gateway.chat(request("ok")).ok()).isTrue();
    assertThat(gateway.breaker("up")).isEqualTo(CIRCUIT_STATE_CLOSED);
  }

  private static ChatRequest request(String model) {
    return Requests.chat("up", "hi").setModel(model).build();
  }

  private void fail(int times) {
    for (int i = 0; i < times; i++) {
      assertThat(gateway.chat(request("fail")).reason()).isEqualTo("PROVIDER_UNAVAILABLE");
    }
  }

  /** A Chat call whose upstream sent headers and nothing more, cancelled by the client. */
  private void cancelChatBeforeOutput() throws Exception {
    int before = upstream.requestCount();
    Observed<ChatRequest, CompletionResponse> call = new Observed<>();
    ProviderServiceGrpc.newStub(gateway.channel).chat(request("silent"), call);
    awaitRequests(before + 1);
    call.call.cancel("caller gave up", null);
    awaitNoResponse();
  }

  /** A Stream call whose upstream sent headers and nothing more, cancelled by the client. */
  private void cancelStreamBeforeOutput() throws Exception {
    int before = upstream.requestCount();
    Observed<ChatRequest, StreamChunk> call = new Observed<>();
    ProviderServiceGrpc.newStub(gateway.channel).stream(request("silent"), call);
    awaitRequests(before + 1);
    call.call.cancel("caller gave up", null);
    awaitNoResponse();
  }

  private void cancelStreamAfterOutput() throws Exception {
    Observed<ChatRequest, StreamChunk> call = new Observed<>();
    ProviderServiceGrpc.newStub(gateway.channel).stream(request("hangs"), call);
    assertThat(call.next().getContent()).isEqualTo("Hel");
    call.call.cancel("caller has enough", null);
    awaitNoResponse();
  }

  private void awaitRequests(int n) throws InterruptedException {
    assertThat(Leftovers.await(() -> upstream.requestCount() >= n, Duration.ofSeconds(5))).isTrue();
  }

  private void awaitNoResponse() throws InterruptedException {
    assertThat(Leftovers.await(() -> upstream.activeResponses() == 0, Duration.ofSeconds(5)))
        .isTrue();
  }
}
