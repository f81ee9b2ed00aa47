package dev.providergateway.observability;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;

/**
 * The status a call's stream was really closed with, as the transport reports it, for calls the
 * application sees only as "cancelled". A request over the message size limit, for example, is
 * refused by grpc-java's deframer with RESOURCE_EXHAUSTED: the client gets that status, while the
 * call's listener only hears {@code onCancel}. A stream tracer is the one place grpc-java reports
 * the transport's final status ({@link ServerStreamTracer#streamClosed}); it hands it to the edge
 * interceptor through the call's {@link Context}.
 *
 * <p>Register {@link #tracers()} on the server builder. Thread-safe: the status is written on the
 * transport thread before the listener's {@code onCancel} is scheduled, and read after it.
 */
public final class StreamOutcome {
  private static final Context.Key<StreamOutcome> KEY = Context.key("providergateway.outcome");
  private static final ServerStreamTracer.Factory TRACERS =
      new ServerStreamTracer.Factory() {
        @Override
        public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
          StreamOutcome outcome = new StreamOutcome();
          return new ServerStreamTracer() {
            @Override
            public Context filterContext(Context context) {
              return context.withValue(KEY, outcome);
            }

            @Override
            public void streamClosed(Status status) {
              outcome.closed = status;
            }
          };
        }
      };

  private volatile Status closed;

  private StreamOutcome() {}

  /** The tracer factory that records every stream's outcome. */
  public static ServerStreamTracer.Factory tracers() {
    return TRACERS;
  }

  /** The outcome holder of the current call, or null when the tracers are not registered. */
  static StreamOutcome current() {
    return KEY.get();
  }

  /**
   * What to record for a call its listener saw cancelled: the transport's own refusal when it
   * closed the stream with one that it sent to the client (RESOURCE_EXHAUSTED for an oversized
   * message, INTERNAL for an undecodable frame), else a cancellation. UNAVAILABLE is not such a
   * refusal: it is how a server shutdown or a lost connection closes a stream locally, and that
   * client sees a reset stream, that is CANCELLED.
   */
  static Status cancelled(StreamOutcome outcome) {
    Status status = outcome == null ? null : outcome.closed;
    if (status == null
        || status.isOk()
        || status.getCode() == Status.Code.CANCELLED
        || status.getCode() == Status.Code.UNAVAILABLE) {
      return Status.CANCELLED.withDescription("cancelled by the caller");
    }
    return status;
  }
}
