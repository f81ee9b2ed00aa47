package dev.providergateway.api;

import dev.providergateway.provider.StreamChunk;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Flow;

/**
 * Carries one stream's chunks to a gRPC writer at the pace the transport accepts them: it asks
 * upstream for the next chunk only while the writer {@linkplain Sink#isReady() is ready}, and asks
 * again when gRPC reports readiness, so a slow reader slows the upstream read instead of filling
 * memory.
 *
 * <p>All writes to the sink happen in the serial Flow signals, so the sink sees one writer.
 */
final class ChunkRelay implements Flow.Subscriber<StreamChunk> {

  /** Where the chunks go; implementations write to a gRPC stream observer. */
  interface Sink {
    boolean isReady();

    void onChunk(dev.providergateway.v1.StreamChunk chunk);

    void onFinished();

    void onFailed(Throwable failure);
  }

  private static final VarHandle PENDING;

  static {
    try {
      PENDING = MethodHandles.lookup().findVarHandle(ChunkRelay.class, "pending", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Sink sink;
  // A plain field (see PENDING), not an atomic wrapper: a held stream keeps it.
  private volatile boolean pending;
  private volatile Flow.Subscription subscription;
  private volatile boolean cancelled;

  ChunkRelay(Sink sink) {
    this.sink = sink;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (cancelled) {
      s.cancel();
      return;
    }
    onReady();
  }

  @Override
  public void onNext(StreamChunk chunk) {
    pending = false;
    sink.onChunk(ProtoMapper.toProto(chunk));
    onReady();
  }

  @Override
  public void onError(Throwable failure) {
    sink.onFailed(failure);
  }

  @Override
  public void onComplete() {
    sink.onFinished();
  }

  /** Requests the next chunk if the writer is ready and none is outstanding. */
  void onReady() {
    Flow.Subscription s = subscription;
    if (s != null && !cancelled && sink.isReady() && PENDING.compareAndSet(this, false, true)) {
      s.request(1);
    }
  }

  /** Stops the stream; the upstream request is cancelled. */
  void cancel() {
    cancelled = true;
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }
}
