package dev.providergateway.observability;

import static java.util.Objects.requireNonNull;

import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One call that came through a door other than gRPC (the OpenAI-compatible HTTP door): it gets a
 * request id and a {@link CallRecord} like a gRPC call, and ends in the same metrics, access-log
 * line and trace span, labelled with the door's own method name (such as {@code
 * http.ChatCompletions}). The outcome is given as the {@code google.rpc.Status} that {@code
 * ErrorMapper} built, so the error reason is recorded exactly as for gRPC. Thread-safe; ends once.
 */
public final class DoorCall {
  private static final java.util.regex.Pattern SANE_ID =
      java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final Telemetry telemetry;
  private final CallRecord record;
  private final Attributes attributes;
  private final AtomicBoolean finished = new AtomicBoolean();

  private DoorCall(Telemetry telemetry, CallRecord record, Attributes attributes) {
    this.telemetry = telemetry;
    this.record = record;
    this.attributes = attributes;
  }

  /**
   * Starts recording a call.
   *
   * @param method the label of the door and operation, e.g. {@code http.ChatCompletions}
   * @param incomingRequestId the caller's {@code x-request-id} (used when sane), or null
   * @param traceparent the caller's W3C {@code traceparent} header, or null
   * @param peer the caller's address, or null
   */
  public static DoorCall start(
      Telemetry telemetry,
      String method,
      boolean streaming,
      String incomingRequestId,
      String traceparent,
      SocketAddress peer) {
    requireNonNull(telemetry, "telemetry");
    String id =
        incomingRequestId != null && SANE_ID.matcher(incomingRequestId).matches()
            ? incomingRequestId
            : EdgeInterceptor.newRequestId();
    Metadata headers = new Metadata();
    if (traceparent != null) {
      headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), traceparent);
    }
    CallRecord rec =
        telemetry.started(
            new CallRecord(id, method, streaming, System.nanoTime()), method, headers);
    Attributes attributes =
        peer == null
            ? Attributes.EMPTY
            : Attributes.newBuilder().set(Grpc.TRANSPORT_ATTR_REMOTE_ADDR, peer).build();
    return new DoorCall(telemetry, rec, attributes);
  }

  /** The call's request id, to return as {@code x-request-id}. */
  public String requestId() {
    return record.requestId;
  }

  /** {@code base} with this call's record in it: run the call's admission and dispatch in it. */
  public Context attachTo(Context base) {
    return base.withValue(CallRecord.KEY, record);
  }

  /** The call succeeded. */
  public void succeeded() {
    end(Status.OK, null);
  }

  /** The call failed with {@code status}, as {@code ErrorMapper} built it. */
  public void failed(com.google.rpc.Status status) {
    StatusRuntimeException e = StatusProto.toStatusRuntimeException(status);
    end(e.getStatus(), e.getTrailers());
  }

  /** The caller went away before the call ended. */
  public void cancelled() {
    end(Status.CANCELLED.withDescription("client disconnected"), null);
  }

  private void end(Status status, Metadata trailers) {
    if (finished.compareAndSet(false, true)) {
      telemetry.closing();
      telemetry.finished(record, status, trailers, attributes);
    }
  }
}
