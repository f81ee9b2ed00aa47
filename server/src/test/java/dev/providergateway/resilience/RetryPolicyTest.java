package dev.providergateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.testing.Requests;
import dev.providergateway.v1.ChatRequest;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Retries through real HTTP: exponential backoff between attempts, the upstream's {@code
 * retry-after-ms} / {@code Retry-After} honoured, no retry that would end past the caller's
 * deadline, none for quota 429s, auth failures or other 4xx, at most {@code max_retries} per
 * target, and the attempts reported in the response metadata.
 */
class RetryPolicyTest {
  private final List<Long> arrivals = new CopyOnWriteArrayList<>();
  private final FakeUpstream upstream =
      FakeUpstream.startTracked()
          .otherwise(
              r -> {
                arrivals.add(System.nanoTime());
                return Upstreams.byModel().apply(r);
              });
  private final FaultGateway gateway =
      new FaultGateway(
          """
      providers:
        - name: up
          type: openai
          base_url: %s/v1
          api_key: k
          breaker: {failure_threshold: 100}
      resilience:
        max_retries: 2
        retry_base_delay: 100ms
        retry_max_delay: 5s
        retry_jitter_percent: 0
        default_deadline: 10s
      """
              .formatted(upstream.baseUri()));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
    upstream.close();
  }

  @Test
  void chat_upstreamKeepsFailing_threeAttemptsWithDoublingBackoff() {
    Outcome outcome = gateway.chat(request("fail"));

    assertThat(outcome.reason()).isEqualTo("PROVIDER_UNAVAILABLE");
    assertThat(arrivals).hasSize(3);
    long first = millisBetween(0, 1);
    long second = millisBetween(1, 2);
    assertThat(first).as("first backoff").isBetween(100L, 190L);
    assertThat(second).as("second backoff").isBetween(200L, 290L);
  }

  @Test
  void chat_retryAfterMs_honouredThenServedWithAttemptsInMetadata() {
    upstream.enqueue(
        Response.json(503, Wire.error("overloaded", "busy")).withHeader("retry-after-ms", "350"),
        Wire.completion("ok"));

    Outcome outcome = gateway.chat(request("any"));

    assertThat(outcome.ok()).isTrue();
    assertThat(upstream.requestCount()).isEqualTo(2);
    assertThat(outcome.metadata())
        .containsEntry("attempts", "2")
        .containsEntry("attempt_log", "up/any PROVIDER_UNAVAILABLE; up/any ok");
    assertThat(outcome.millis())
        .as("waited the upstream's 350 ms, not the 100 ms backoff")
        .isGreaterThanOrEqualTo(350);
  }

  @Test
  void stream_retriedBeforeOutputThenServed_attemptsInFinalChunkMetadata() {
    upstream.enqueue(
        Response.json(500, Wire.error("server_error", "oops")), Wire.streamed("o", "k"));

    Outcome outcome = gateway.stream(request("any"));

    assertThat(outcome.ok()).isTrue();
    assertThat(outcome.content()).isEqualTo("ok");
    assertThat(outcome.metadata())
        .containsEntry("attempts", "2")
        .containsEntry("attempt_log", "up/any PROVIDER_UNAVAILABLE; up/any ok");
  }

  @Test
  void chat_retryAfterPastCallerDeadline_failsAtOnceWithRetryInfo() {
    upstream.enqueue(
        Response.json(503, Wire.error("overloaded", "busy")).withHeader("retry-after", "2"));

    Outcome outcome = gateway.chat(request("any"), 800);

    assertThat(outcome.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(outcome.retryDelay()).isEqualTo(Duration.ofSeconds(2));
    assertThat(outcome.millis()).as("no wait that cannot end before the deadline").isLessThan(400);
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "quota, RESOURCE_EXHAUSTED, PROVIDER_QUOTA",
    "auth, UNAUTHENTICATED, PROVIDER_AUTH",
    "bad, FAILED_PRECONDITION, PROVIDER_ERROR",
    "missing, NOT_FOUND, MODEL_NOT_FOUND",
    "garbage, INTERNAL, PROVIDER_INVALID_RESPONSE"
  })
  void chatAndStream_failureRetryCannotFix_attemptedOnce(
      String model, Status.Code code, String reason) {
    Outcome chat = gateway.chat(request(model));
    Outcome stream = gateway.stream(request(model + "-streamed"));

    assertThat(chat.code()).isEqualTo(code);
    assertThat(chat.reason()).isEqualTo(reason);
    assertThat(stream.code()).isEqualTo(code);
    assertThat(stream.reason()).isEqualTo(reason);
    // A quota error takes the whole key out, so the second call (another model) is refused
    // without reaching the upstream; every other failure leaves the next call free to try.
    assertThat(upstream.requestCount()).isEqualTo(model.equals("quota") ? 1 : 2);
  }

  @Test
  void stream_failureAfterOutput_neverRetried() {
    Outcome outcome = gateway.stream(request("dies"));

    assertThat(outcome.content()).isEqualTo("Hel");
    assertThat(outcome.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  private long millisBetween(int a, int b) {
    return (arrivals.get(b) - arrivals.get(a)) / 1_000_000;
  }

  private static ChatRequest request(String model) {
    return Requests.chat("up", "hi").setModel(model).build();
  }
}
