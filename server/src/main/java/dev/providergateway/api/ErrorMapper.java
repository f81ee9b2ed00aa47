package dev.providergateway.api;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import com.google.rpc.Status;
import dev.providergateway.provider.ErrorReason;
import dev.providergateway.provider.GatewayException;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.Secrets;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/**
 * The one function that turns a failure into what the caller sees: a {@code google.rpc.Status} with
 * {@code ErrorInfo} (domain {@value #DOMAIN}), {@code RetryInfo} where a retry makes sense and
 * {@code BadRequest} for invalid requests, per the contract's error table. Handlers never build a
 * status by hand. Unexpected exceptions become INTERNAL with a fixed message, so no internal detail
 * leaks; they are logged here. Every status leaves through {@link ErrorBounds}, so it fits a
 * client's limit on trailers however large the bad value it reports.
 */
public final class ErrorMapper {
  /** The {@code ErrorInfo.domain} of every gateway error. */
  public static final String DOMAIN = "providergateway";

  private static final System.Logger LOG = System.getLogger(ErrorMapper.class.getName());

  private ErrorMapper() {}

  /** The status for {@code failure}, as a throwable to pass to {@code onError}. */
  public static StatusRuntimeException toException(Throwable failure) {
    return StatusProto.toStatusRuntimeException(toStatus(failure));
  }

  /** The status for {@code failure}, bounded in size by {@link ErrorBounds}. */
  public static Status toStatus(Throwable failure) {
    // Redacted first, so the bounds cut text that no longer holds a secret.
    return ErrorBounds.bound(redacted(unbounded(failure)));
  }

  private static Status unbounded(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof GatewayException e) {
      return statusOf(e);
    }
    if (cause instanceof CancellationException) {
      return cancelled("call cancelled");
    }
    if (cause instanceof StatusRuntimeException e) {
      com.google.rpc.Status status = StatusProto.fromThrowable(e);
      if (status != null) {
        return status;
      }
      return Status.newBuilder()
          .setCode(e.getStatus().getCode().value())
          .setMessage(String.valueOf(e.getStatus().getDescription()))
          .build();
    }
    LOG.log(System.Logger.Level.ERROR, "unexpected failure", cause);
    return Status.newBuilder()
        .setCode(Code.INTERNAL_VALUE)
        .setMessage("internal gateway error; see the gateway log")
        .build();
  }

  /**
   * A CANCELLED status saying {@code why}, for something the caller cancelled on purpose (such as
   * one Converse turn) and so is not a failure with a reason.
   */
  public static Status cancelled(String why) {
    return ErrorBounds.bound(
        Status.newBuilder().setCode(Code.CANCELLED_VALUE).setMessage(why).build());
  }

  private static Status statusOf(GatewayException e) {
    ErrorInfo.Builder info =
        ErrorInfo.newBuilder()
            .setDomain(DOMAIN)
            .setReason(e.reason().name())
            .putAllMetadata(e.errorMetadata());
    Status.Builder status =
        Status.newBuilder().setCode(codeOf(e.reason()).getNumber()).setMessage(e.getMessage());
    status.addDetails(Any.pack(info.build()));
    e.retryAfter()
        .or(() -> RetryHints.inMessage(e.getMessage()))
        .ifPresent(delay -> status.addDetails(Any.pack(retryInfo(delay))));
    if (e instanceof InvalidRequestException invalid) {
      BadRequest.Builder bad = BadRequest.newBuilder();
      invalid
          .violations()
          .forEach(
              v ->
                  bad.addFieldViolationsBuilder()
                      .setField(v.field())
                      .setDescription(v.description()));
      status.addDetails(Any.pack(bad.build()));
    }
    return status.build();
  }

  /**
   * {@code status} with every configured secret redacted by value from its message and from the
   * text of its details (ErrorInfo metadata, BadRequest fields and descriptions), whoever wrote
   * them: an upstream's body, a caller's value quoted back, or the gateway's own words.
   */
  private static Status redacted(Status status) {
    Status.Builder b = status.toBuilder().setMessage(Secrets.redact(status.getMessage()));
    for (int i = 0; i < b.getDetailsCount(); i++) {
      Any any = b.getDetails(i);
      try {
        if (any.is(ErrorInfo.class)) {
          ErrorInfo.Builder info = any.unpack(ErrorInfo.class).toBuilder();
          info.getMetadataMap().forEach((k, v) -> info.putMetadata(k, Secrets.redact(v)));
          b.setDetails(i, Any.pack(info.build()));
        } else if (any.is(BadRequest.class)) {
          BadRequest.Builder bad = any.unpack(BadRequest.class).toBuilder();
          for (BadRequest.FieldViolation.Builder v : bad.getFieldViolationsBuilderList()) {
            v.setField(Secrets.redact(v.getField()))
                .setDescription(Secrets.redact(v.getDescription()));
          }
          b.setDetails(i, Any.pack(bad.build()));
        }
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        b.removeDetails(i--); // a detail we cannot read, we cannot vouch for
      }
    }
    return b.build();
  }

  /** The gRPC code of each reason, per the contract's table. */
  static Code codeOf(ErrorReason reason) {
    return switch (reason) {
      case INVALID_REQUEST -> Code.INVALID_ARGUMENT;
      case PROVIDER_NOT_FOUND, MODEL_NOT_FOUND -> Code.NOT_FOUND;
      case PROVIDER_AUTH, GATEWAY_UNAUTHENTICATED -> Code.UNAUTHENTICATED;
      case GATEWAY_PERMISSION_DENIED -> Code.PERMISSION_DENIED;
      case PROVIDER_RATE_LIMIT, PROVIDER_QUOTA, GATEWAY_OVERLOADED, BUDGET_EXCEEDED ->
          Code.RESOURCE_EXHAUSTED;
      case CIRCUIT_OPEN, PROVIDER_CONNECTION, PROVIDER_UNAVAILABLE, GATEWAY_UNAVAILABLE ->
          Code.UNAVAILABLE;
      case PROVIDER_TIMEOUT -> Code.DEADLINE_EXCEEDED;
      case PROVIDER_INVALID_RESPONSE -> Code.INTERNAL;
      case PROVIDER_ERROR -> Code.FAILED_PRECONDITION;
    };
  }

  private static RetryInfo retryInfo(Duration delay) {
    return RetryInfo.newBuilder()
        .setRetryDelay(
            com.google.protobuf.Duration.newBuilder()
                .setSeconds(delay.getSeconds())
                .setNanos(delay.getNano()))
        .build();
  }

  private static Throwable unwrap(Throwable t) {
    Throwable cause = t;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
