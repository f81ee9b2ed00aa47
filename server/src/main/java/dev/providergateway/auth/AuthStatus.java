package dev.providergateway.auth;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import com.google.rpc.Status;
import dev.providergateway.api.ErrorMapper;
import dev.providergateway.provider.ErrorReason;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.Map;

/**
 * The statuses of refused callers, in the contract's shape: {@code ErrorInfo} in domain {@value
 * ErrorMapper#DOMAIN} and, for rate limits, {@code RetryInfo}. {@link ErrorMapper} passes such
 * exceptions through unchanged, so the edge and Converse turns report them alike. Messages name
 * the key's id, never the key.
 */
final class AuthStatus {
  private AuthStatus() {}

  static StatusRuntimeException unauthenticated(String message) {
    return exception(Code.UNAUTHENTICATED, ErrorReason.GATEWAY_UNAUTHENTICATED, message, Map.of(), null);
  }

  static StatusRuntimeException permissionDenied(String message, Map<String, String> metadata) {
    return exception(Code.PERMISSION_DENIED, ErrorReason.GATEWAY_PERMISSION_DENIED, message, metadata, null);
  }

  /**
   * A key over its rate limit. The contract has no reason of its own for it; GATEWAY_OVERLOADED
   * is the one clients already treat as "retry later" (ProviderRateLimitError), and {@code
   * limit} in the metadata says which limit it was.
   */
  static StatusRuntimeException rateLimited(String message, Map<String, String> metadata, Duration retryAfter) {
    return exception(Code.RESOURCE_EXHAUSTED, ErrorReason.GATEWAY_OVERLOADED, message, metadata, retryAfter);
  }

  private static StatusRuntimeException exception(
      Code code, ErrorReason reason, String message, Map<String, String> metadata, Duration retryAfter) {
    Status.Builder status = Status.newBuilder().setCode(code.getNumber()).setMessage(message)
        .addDetails(Any.pack(ErrorInfo.newBuilder().setDomain(ErrorMapper.DOMAIN).setReason(reason.name())
            .putAllMetadata(metadata).build()));
    if (retryAfter != null) {
      status.addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder()
          .setSeconds(retryAfter.getSeconds()).setNanos(retryAfter.getNano())).build()));
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }
}
