package dev.providergateway.api;

import static dev.providergateway.testing.Requests.chat;
import static dev.providergateway.testing.Requests.extra;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Value;
import com.google.rpc.ErrorInfo;
import dev.providergateway.testing.Statuses;
import dev.providergateway.testing.TestGateway;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every upstream failure kind reaches the caller as the contract's status, reason and details. */
class ErrorMappingTest {
  private final TestGateway gateway = new TestGateway();

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
  }

  @ParameterizedTest
  @CsvSource({
    "PROVIDER_AUTH, UNAUTHENTICATED, 401",
    "PROVIDER_RATE_LIMIT, RESOURCE_EXHAUSTED, 429",
    "PROVIDER_QUOTA, RESOURCE_EXHAUSTED, 429",
    "MODEL_NOT_FOUND, NOT_FOUND, 404",
    "PROVIDER_TIMEOUT, DEADLINE_EXCEEDED, 0",
    "PROVIDER_CONNECTION, UNAVAILABLE, 0",
    "PROVIDER_UNAVAILABLE, UNAVAILABLE, 503",
    "PROVIDER_INVALID_RESPONSE, INTERNAL, 0",
    "PROVIDER_ERROR, FAILED_PRECONDITION, 400",
  })
  void chat_upstreamFailure_mapsToContractStatus(String reason, Status.Code code, int httpStatus) {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                gateway
                    .blocking()
                    .chat(chat("echo", "hi").setExtra(extra("echo_error", reason)).build()));

    assertThat(e.getStatus().getCode()).isEqualTo(code);
    ErrorInfo info = Statuses.errorInfo(Statuses.of(e));
    assertThat(info.getDomain()).isEqualTo("providergateway");
    assertThat(info.getReason()).isEqualTo(reason);
    assertThat(info.getMetadataMap())
        .containsEntry("provider", "echo")
        .containsEntry("model", "echo-1");
    if (httpStatus > 0) {
      assertThat(info.getMetadataMap()).containsEntry("http_status", Integer.toString(httpStatus));
    } else {
      assertThat(info.getMetadataMap()).doesNotContainKey("http_status");
    }
    assertThat(e.getStatus().getDescription()).contains(reason);
  }

  @Test
  void chat_rateLimitWithRetryAfter_carriesRetryInfo() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                gateway
                    .blocking()
                    .chat(
                        chat("echo", "hi")
                            .setExtra(
                                extra("echo_error", "PROVIDER_RATE_LIMIT").toBuilder()
                                    .putFields(
                                        "echo_retry_after_ms",
                                        Value.newBuilder().setNumberValue(7000).build()))
                            .build()));

    assertThat(Statuses.retryInfo(Statuses.of(e)))
        .hasValueSatisfying(r -> assertThat(r.getRetryDelay().getSeconds()).isEqualTo(7));
  }

  @Test
  void stream_upstreamFailureBeforeOutput_mapsLikeChat() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                gateway.blocking().stream(
                        chat("echo", "hi").setExtra(extra("echo_error", "PROVIDER_AUTH")).build())
                    .forEachRemaining(c -> {}));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(Statuses.errorInfo(Statuses.of(e)).getReason()).isEqualTo("PROVIDER_AUTH");
  }

  @Test
  void chat_unknownProvider_notFoundListingAvailable() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> gateway.blocking().chat(chat("nope", "hi").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(e.getStatus().getDescription())
        .contains("'nope'")
        .contains("available providers: echo");
    assertThat(Statuses.errorInfo(Statuses.of(e)).getReason()).isEqualTo("PROVIDER_NOT_FOUND");
  }

  @Test
  void stream_unknownProvider_notFound() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> gateway.blocking().stream(chat("nope", "hi").build()).forEachRemaining(c -> {}));

    assertThat(Statuses.errorInfo(Statuses.of(e)).getReason()).isEqualTo("PROVIDER_NOT_FOUND");
  }
}
