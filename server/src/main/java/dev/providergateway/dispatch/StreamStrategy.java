package dev.providergateway.dispatch;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.EventPublisher;
import dev.providergateway.provider.StreamChunk;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.Flow;

/**
 * The attempts of a streaming call. The caller subscribes to one publisher for the whole call;
 * behind it each attempt is one assembled chunk stream, forwarded with the caller's demand (one
 * chunk asked of the attempt at a time, only while the caller wants more). The final chunk is the
 * attempt's success. Cancelling the caller's subscription cancels the call through its runner.
 *
 * <p>Thread-safe: one writer per attempt, and attempts are sequential.
 */
final class StreamStrategy implements AttemptRunner.Strategy<StreamChunk> {
  private static final VarHandle FORWARDER_REQUESTED;
  private static final VarHandle FORWARDER_CANCELLED;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      FORWARDER_REQUESTED = l.findVarHandle(Forwarder.class, "requested", boolean.class);
      FORWARDER_CANCELLED = l.findVarHandle(Forwarder.class, "cancelled", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final CallContext context;
  private final Starter starter;
  private volatile EventPublisher<StreamChunk> out;
  private volatile Forwarder current;

  /**
   * Starts the assembled chunk stream of one attempt at a target, which reports what the attempt
   * consumed to {@code consumption} once, however it ends.
   */
  interface Starter {
    Flow.Publisher<StreamChunk> start(
        Target target,
        ChatRequest request,
        CallContext context,
        StreamAssembler.Consumption consumption);
  }

  StreamStrategy(CallContext context, Starter starter) {
    this.context = context;
    this.starter = starter;
  }

  /** The caller's publisher; {@code runner} starts when it is subscribed. */
  Flow.Publisher<StreamChunk> publisher(AttemptRunner<StreamChunk> runner) {
    return new EventPublisher<>(
        o -> {
          out = o;
          o.onCancel(runner::cancel);
          o.onDemand(
              () -> {
                Forwarder f = current;
                if (f != null) {
                  f.pull();
                }
              });
          runner.start();
        });
  }

  @Override
  public AttemptRunner.Handle start(
      Target target, ChatRequest request, AttemptRunner<StreamChunk>.Attempt attempt) {
    Flow.Publisher<StreamChunk> chunks = starter.start(target, request, context, attempt::consumed);
    Forwarder forwarder = new Forwarder(attempt);
    current = forwarder;
    chunks.subscribe(forwarder);
    return forwarder;
  }

  @Override
  public void succeed(Target target, StreamChunk c, Map<String, String> metadata) {
    out.emit(
        metadata.isEmpty()
            ? c
            : c.withMetadata(AttemptRunner.withAttempts(c.metadata(), metadata)));
    out.complete();
  }

  @Override
  public void fail(Throwable failure) {
    out.fail(failure);
  }

  /** Forwards one attempt's chunks to the caller, with the caller's demand. */
  private final class Forwarder implements Flow.Subscriber<StreamChunk>, AttemptRunner.Handle {
    private final AttemptRunner<StreamChunk>.Attempt attempt;
    // Flags in plain fields (see FORWARDER_*), not atomic wrappers: a held stream keeps them.
    private volatile boolean requested;
    private volatile boolean cancelled;
    private volatile Flow.Subscription subscription;

    Forwarder(AttemptRunner<StreamChunk>.Attempt attempt) {
      this.attempt = attempt;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      // A cancel that came before the subscription could not reach it.
      if (cancelled || !attempt.live()) {
        s.cancel();
      } else {
        pull();
      }
    }

    @Override
    public void onNext(StreamChunk chunk) {
      requested = false;
      if (!attempt.live()) {
        return;
      }
      attempt.output();
      if (chunk.isFinal()) {
        attempt.succeeded(chunk);
        return;
      }
      out.emit(chunk);
      pull();
    }

    @Override
    public void onError(Throwable failure) {
      attempt.failed(failure);
    }

    @Override
    public void onComplete() {
      // The assembler always ends a clean stream with its final chunk, which settled the attempt.
      attempt.failed(new IllegalStateException("the stream ended without its final chunk"));
    }

    void pull() {
      Flow.Subscription s = subscription;
      if (s != null
          && !cancelled
          && out.wantsMore()
          && FORWARDER_REQUESTED.compareAndSet(this, false, true)) {
        s.request(1);
      }
    }

    @Override
    public void cancel() {
      if (FORWARDER_CANCELLED.compareAndSet(this, false, true)) {
        Flow.Subscription s = subscription;
        if (s != null) {
          s.cancel();
        }
      }
    }
  }
}
