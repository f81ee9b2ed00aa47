package dev.providergateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatewayExceptionTest {
  @Test
  void fromStatus_inBandError_parsesReasonMetadataAndViolations() {
    GatewayException e = GatewayException.fromStatus(FakeProviderService.invalidRequest());

    assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.reason()).isEqualTo("INVALID_REQUEST");
    assertThat(e.errorMetadata())
        .containsEntry("provider", "echo")
        .containsEntry("model", "echo-1");
    assertThat(e.fieldViolations()).hasSize(1);
    assertThat(e.fieldViolations().get(0).field()).isEqualTo("messages[0].role");
    assertThat(e.getCause()).isNull();
  }

  @Test
  void from_statusRuntimeException_keepsItAsCause() {
    var failure = FakeProviderService.rateLimited();

    GatewayException e = GatewayException.from(failure);

    assertThat(e.getCause()).isSameAs(failure);
    assertThat(e.retryDelay()).contains(Duration.ofSeconds(3));
  }

  @Test
  void from_errorInfoOfOtherDomainFirst_prefersGatewayDomain() {
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(Code.UNAVAILABLE_VALUE)
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder().setDomain("example.com").setReason("PROXY").build()))
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder()
                        .setDomain("providergateway")
                        .setReason("CIRCUIT_OPEN")
                        .build()))
            .build();

    GatewayException e = GatewayException.from(StatusProto.toStatusRuntimeException(status));

    assertThat(e.reason()).isEqualTo("CIRCUIT_OPEN");
  }

  @Test
  void from_malformedDetail_skipsOnlyThatDetail() {
    Any broken =
        Any.newBuilder()
            .setTypeUrl("type.googleapis.com/google.rpc.RetryInfo")
            .setValue(ByteString.copyFromUtf8("\u00ff\u00ff not a message"))
            .build();
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(Code.UNAVAILABLE_VALUE)
            .addDetails(broken)
            .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("CIRCUIT_OPEN").build()))
            .build();

    GatewayException e = GatewayException.fromStatus(status);

    assertThat(e.retryDelay()).isEmpty();
    assertThat(e.reason()).isEqualTo("CIRCUIT_OPEN");
  }

  @ParameterizedTest(name = "{0} with retry delay {1} -> {2}")
  @CsvSource({
    "UNAVAILABLE, false, true",
    "DEADLINE_EXCEEDED, false, true",
    "RESOURCE_EXHAUSTED, true, true",
    "RESOURCE_EXHAUSTED, false, false",
    "INVALID_ARGUMENT, true, false",
    "NOT_FOUND, false, false",
    "CANCELLED, false, false",
    "INTERNAL, false, false",
  })
  void isRetryable_codeAndRetryDelay_matchesDocumentedRule(
      Status.Code code, boolean withDelay, boolean expected) {
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(code.value());
    if (withDelay) {
      status.addDetails(
          Any.pack(
              RetryInfo.newBuilder()
                  .setRetryDelay(com.google.protobuf.Duration.newBuilder().setNanos(500_000_000))
                  .build()));
    }

    assertThat(GatewayException.fromStatus(status.build()).isRetryable()).isEqualTo(expected);
  }
}
