package dev.providergateway.observability;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.ServerCall;

/**
 * A call's listener that also runs a task after the call's last event: gRPC delivers exactly one of
 * {@code onComplete} (the status was sent) and {@code onCancel} (the call ended otherwise). The
 * task runs even when the wrapped listener throws, so counters and records never miss an end.
 *
 * <p>Events arrive serially, as for any listener; the tasks run on the thread that delivers them.
 *
 * @param <Q> the request message type
 */
public final class EndOfCall<Q> extends SimpleForwardingServerCallListener<Q> {
  private final Runnable afterComplete;
  private final Runnable afterCancel;

  private EndOfCall(ServerCall.Listener<Q> listener, Runnable afterComplete, Runnable afterCancel) {
    super(listener);
    this.afterComplete = afterComplete;
    this.afterCancel = afterCancel;
  }

  /** {@code listener}, running {@code ended} after whichever of its two last events comes. */
  public static <Q> ServerCall.Listener<Q> either(ServerCall.Listener<Q> listener, Runnable ended) {
    return new EndOfCall<>(listener, ended, ended);
  }

  /** {@code listener}, running {@code cancelled} after {@code onCancel} only. */
  public static <Q> ServerCall.Listener<Q> cancel(
      ServerCall.Listener<Q> listener, Runnable cancelled) {
    return new EndOfCall<>(listener, () -> {}, cancelled);
  }

  @Override
  public void onComplete() {
    try {
      super.onComplete();
    } finally {
      afterComplete.run();
    }
  }

  @Override
  public void onCancel() {
    try {
      super.onCancel();
    } finally {
      afterCancel.run();
    }
  }
}
