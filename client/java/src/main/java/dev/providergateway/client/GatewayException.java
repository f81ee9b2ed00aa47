package dev.providergateway.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The one exception type of the client: a failed gateway call, with the structured details the
 * gateway attaches to its errors.
 *
 * <p>Every {@link GatewayClient} method, and every iterator it returns, converts gRPC failures into
 * this exception. It is built either from a failed call ({@code StatusRuntimeException}, read with
 * {@link StatusProto}) or from the in-band {@code google.rpc.Status} that ends a failed {@code
 * Converse} turn, so both kinds of failure look the same to callers.
 *
 * <p>The gateway's details are decoded once, up front:
 *
 * <ul>
 *   <li>{@code google.rpc.ErrorInfo} gives {@link #reason()}, {@link #domain()} and {@link
 *       #errorMetadata()} (keys {@code provider}, {@code model}, {@code http_status});
 *   <li>{@code google.rpc.RetryInfo} gives {@link #retryDelay()};
 *   <li>{@code google.rpc.BadRequest} gives {@link #fieldViolations()}.
 * </ul>
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class GatewayException extends RuntimeException {
  /** The {@code ErrorInfo.domain} the gateway uses for its own errors. */
  public static final String DOMAIN = "providergateway";

  private static final long serialVersionUID = 1L;

  /** The gRPC status code. */
  private final Status.Code code;

  /** The server's message; never null. */
  private final String description;

  /** {@code ErrorInfo.reason}; empty if absent. */
  private final String reason;

  /** {@code ErrorInfo.domain}; empty if absent. */
  private final String domain;

  /** {@code ErrorInfo.metadata}; immutable. */
  private final Map<String, String> errorMetadata;

  /** {@code RetryInfo.retry_delay}; null if absent. */
  private final Duration retryDelay;

  /** {@code BadRequest.field_violations}; immutable. */
  private final List<FieldViolation> fieldViolations;

  /**
   * One invalid field of a rejected request, from {@code google.rpc.BadRequest}.
   *
   * @param field the path of the field, for example {@code messages[0].role}
   * @param description why the field is invalid
   */
  public record FieldViolation(String field, String description) implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Creates a violation; null components are rejected at once rather than when read.
     *
     * @param field the path of the field
     * @param description why the field is invalid
     */
    public FieldViolation {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(description, "description");
    }
  }

  private GatewayException(
      Status.Code code, String description, List<Any> details, Throwable cause) {
    super(null, cause);
    this.code = code;
    this.description = description == null ? "" : description;

    ErrorInfo info = pickErrorInfo(details);
    this.reason = info == null ? "" : info.getReason();
    this.domain = info == null ? "" : info.getDomain();
    this.errorMetadata = info == null ? Map.of() : Map.copyOf(info.getMetadataMap());

    RetryInfo retry = unpackFirst(details, RetryInfo.class);
    this.retryDelay =
        retry == null || !retry.hasRetryDelay()
            ? null
            : Duration.ofSeconds(
                retry.getRetryDelay().getSeconds(), retry.getRetryDelay().getNanos());

    List<FieldViolation> violations = new ArrayList<>();
    for (Any any : details) {
      BadRequest badRequest = unpack(any, BadRequest.class);
      if (badRequest != null) {
        badRequest
            .getFieldViolationsList()
            .forEach(v -> violations.add(new FieldViolation(v.getField(), v.getDescription())));
      }
    }
    this.fieldViolations = List.copyOf(violations);
  }

  /**
   * Converts a failed gRPC call ({@code StatusRuntimeException} or {@code StatusException}). Other
   * throwables become {@code UNKNOWN} with the throwable as the cause.
   *
   * @param failure what the call failed with
   * @return the exception, with {@code failure} as its cause
   */
  public static GatewayException from(Throwable failure) {
    Objects.requireNonNull(failure, "failure");
    if (failure instanceof GatewayException already) {
      return already;
    }
    Status status = Status.fromThrowable(failure);
    // fromThrowable returns null when the call's trailers carry no google.rpc.Status details.
    com.google.rpc.Status details = StatusProto.fromThrowable(failure);
    List<Any> detailList = details == null ? List.of() : details.getDetailsList();
    return new GatewayException(status.getCode(), status.getDescription(), detailList, failure);
  }

  /**
   * Converts the in-band {@code google.rpc.Status} that ends a failed {@code Converse} turn.
   *
   * @param status the turn's error
   * @return the exception, without a cause
   */
  public static GatewayException fromStatus(com.google.rpc.Status status) {
    Objects.requireNonNull(status, "status");
    Status.Code code = Status.fromCodeValue(status.getCode()).getCode();
    return new GatewayException(code, status.getMessage(), status.getDetailsList(), null);
  }

  /** A failure the client detects itself, so there are no gateway details. */
  static GatewayException local(Status.Code code, String description, Throwable cause) {
    return new GatewayException(code, description, List.of(), cause);
  }

  /** Returns the gRPC status code of the failure. */
  public Status.Code code() {
    return code;
  }

  /** Returns the server's human-readable error message; empty if it sent none. */
  public String description() {
    return description;
  }

  /**
   * Returns the machine-readable cause from {@code ErrorInfo.reason}, for example {@code
   * PROVIDER_RATE_LIMIT} or {@code INVALID_REQUEST}; empty when the error carries no {@code
   * ErrorInfo}. An {@code ErrorInfo} of domain {@value #DOMAIN} is preferred over others.
   */
  public String reason() {
    return reason;
  }

  /** Returns the {@code ErrorInfo.domain} that {@link #reason()} came from; empty if none. */
  public String domain() {
    return domain;
  }

  /**
   * Returns the {@code ErrorInfo.metadata}: for gateway errors {@code provider}, {@code model} and,
   * for upstream HTTP failures, {@code http_status}. Empty if absent; never null.
   */
  public Map<String, String> errorMetadata() {
    return errorMetadata;
  }

  /**
   * Returns how long the server asks the caller to wait before retrying, from {@code RetryInfo}.
   */
  public Optional<Duration> retryDelay() {
    return Optional.ofNullable(retryDelay);
  }

  /** Returns the invalid fields of a rejected request, from {@code BadRequest}; often empty. */
  public List<FieldViolation> fieldViolations() {
    return fieldViolations;
  }

  /**
   * Tells whether sending the same request again may succeed: true for {@code UNAVAILABLE} (the
   * gateway or provider is unreachable, or a provider's circuit is open), for {@code
   * DEADLINE_EXCEEDED}, and for {@code RESOURCE_EXHAUSTED} only when the server gave a {@link
   * #retryDelay()} (a rate limit that lifts, as opposed to a hard quota). Everything else, notably
   * {@code INVALID_ARGUMENT}, {@code NOT_FOUND} and {@code CANCELLED}, is false.
   *
   * <p>The client never retries by itself: model calls cost money and are not idempotent, so the
   * decision (and the wait, see {@link #retryDelay()}) is the caller's.
   */
  public boolean isRetryable() {
    return switch (code) {
      case UNAVAILABLE, DEADLINE_EXCEEDED -> true;
      case RESOURCE_EXHAUSTED -> retryDelay != null;
      default -> false;
    };
  }

  /** Returns {@code CODE REASON: description}, leaving out the parts that are empty. */
  @Override
  public String getMessage() {
    StringBuilder message = new StringBuilder(code.name());
    if (!reason.isEmpty()) {
      message.append(' ').append(reason);
    }
    if (!description.isEmpty()) {
      message.append(": ").append(description);
    }
    return message.toString();
  }

  private static ErrorInfo pickErrorInfo(List<Any> details) {
    ErrorInfo first = null;
    for (Any any : details) {
      ErrorInfo info = unpack(any, ErrorInfo.class);
      if (info == null) {
        continue;
      }
      if (DOMAIN.equals(info.getDomain())) {
        return info;
      }
      if (first == null) {
        first = info;
      }
    }
    return first;
  }

  private static <T extends com.google.protobuf.Message> T unpackFirst(
      List<Any> details, Class<T> type) {
    for (Any any : details) {
      T value = unpack(any, type);
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  private static <T extends com.google.protobuf.Message> T unpack(Any any, Class<T> type) {
    if (!any.is(type)) {
      return null;
    }
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      // A malformed detail must not hide the error itself; drop just that detail.
      return null;
    }
  }
}
