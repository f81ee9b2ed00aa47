package dev.providergateway.testing;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import com.google.rpc.Status;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import java.util.Optional;

/** Reads the rich error details of a failed call. */
public final class Statuses {
  private Statuses() {}

  public static Status of(Throwable t) {
    Status s = StatusProto.fromThrowable(t);
    if (s == null) {
      throw new AssertionError("no status details in " + t);
    }
    return s;
  }

  public static ErrorInfo errorInfo(Status s) {
    return detail(s, ErrorInfo.class).orElseThrow(() -> new AssertionError("no ErrorInfo in " + s));
  }

  public static Optional<RetryInfo> retryInfo(Status s) {
    return detail(s, RetryInfo.class);
  }

  public static List<String> violatedFields(Status s) {
    return detail(s, BadRequest.class)
        .orElseThrow(() -> new AssertionError("no BadRequest in " + s))
        .getFieldViolationsList()
        .stream()
        .map(BadRequest.FieldViolation::getField)
        .toList();
  }

  private static <T extends com.google.protobuf.Message> Optional<T> detail(
      Status s, Class<T> type) {
    for (Any any : s.getDetailsList()) {
      if (any.is(type)) {
        try {
          return Optional.of(any.unpack(type));
        } catch (InvalidProtocolBufferException e) {
          throw new AssertionError(e);
        }
      }
    }
    return Optional.empty();
  }
}
