package dev.providergateway.dispatch;

import dev.providergateway.observability.GatewayMetrics;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.EventPublisher;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.StreamChunk;
import dev.providergateway.resilience.Bulkheads;
import dev.providergateway.resilience.ProviderBreaker;
import dev.providergateway.resilience.Resilience;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One streaming call through its attempts. The caller subscribes to one publisher for the whole
 * call; behind it, attempts are made one after another while none has sent a chunk: an attempt
 * that fails before its first chunk goes to the {@link AttemptPlan} (retry or fail over), one that
 * fails after it ends the call with its error, since output cannot be taken back. Cancelling the
 * subscription cancels the attempt in flight and any pending retry.
 */
final class StreamCall {
  private final AttemptPlan plan;
  private final ChatRequest request;
  private final CallContext context;
  private final Resilience resilience;
  private final GatewayMetrics metrics;
  private final Attempts attempts;
  private final Runnable onEnd;
  private final AtomicBoolean ended = new AtomicBoolean();
  private EventPublisher<StreamChunk> out;
  private volatile AttemptSubscriber current;
  private volatile ScheduledFuture<?> pending;
  private volatile ScheduledFuture<?> timeout;

  /** Starts the event stream of one attempt at a target, assembled into chunks. */
  interface Attempts {
    Flow.Publisher<StreamChunk> start(
        Target target, ChatRequest request, CallContext context, ProviderBreaker.Permit permit, Runnable onEnd);
  }

  StreamCall(AttemptPlan plan, ChatRequest request, CallContext context, Resilience resilience, GatewayMetrics metrics,
      Attempts attempts, Runnable onEnd) {
    this.metrics = metrics;
    this.plan = plan;
    this.request = request;
    this.context = context;
    this.resilience = resilience;
    this.attempts = attempts;
    this.onEnd = onEnd;
  }

  /** The caller's publisher; the first attempt starts when it is subscribed. */
  Flow.Publisher<StreamChunk> publisher(boolean callerDeadline) {
    return new EventPublisher<>(o -> {
      out = o;
      o.onCancel(this::cancel);
      o.onDemand(() -> {
        AttemptSubscriber a = current;
        if (a != null) {
          a.pull();
        }
      });
      if (!callerDeadline) {
        Duration left = Duration.between(Resilience.deadlineClock().instant(), plan.deadline());
        timeout = resilience.scheduler().schedule(this::deadlinePassed, Math.max(0, left.toNanos()), TimeUnit.NANOSECONDS);
      }
      attempt();
    });
  }

  private void attempt() {
    if (ended.get() || out.isCancelled()) {
      return;
    }
    Target target = plan.current();
    String provider = target.provider().name();
    AttemptPlan.Admission admission;
    try {
      admission = plan.admit();
    } catch (RuntimeException e) {
      failed(e, target);
      return;
    }
    Bulkheads.Slot slot = admission.slot();
    ProviderBreaker.Permit permit = admission.permit();
    GatewayMetrics.UpstreamAttempt reported =
        metrics.upstreamAttempt(context, provider, target.model(), plan.attemptOnTarget());
    Flow.Publisher<StreamChunk> chunks;
    try {
      chunks = attempts.start(target, request.toBuilder().model(target.model()).build(), context, permit, slot::release);
    } catch (RuntimeException e) {
      reported.end(e);
      slot.release();
      permit.failure(e);
      failed(e, target);
      return;
    }
    AttemptSubscriber subscriber = new AttemptSubscriber(target, reported);
    current = subscriber;
    chunks.subscribe(subscriber);
  }

  private void failed(Throwable failure, Target target) {
    if (ended.get()) {
      return;
    }
    resilience.cooldowns().record(target.provider().name(), target.model(), failure);
    var delay = plan.next(failure);
    delay.ifPresent(d -> plan.report(metrics, context, target, failure, d));
    if (delay.isEmpty()) {
      end();
      out.fail(failure);
    } else if (delay.get().isZero()) {
      attempt();
    } else {
      pending = resilience.scheduler().schedule(this::attempt, delay.get().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void cancel() {
    end();
    AttemptSubscriber a = current;
    if (a != null) {
      a.cancel();
    }
  }

  private void deadlinePassed() {
    Target t = plan.current();
    cancel();
    out.fail(new ProviderException.Timeout(new ProviderException.Origin(t.provider().name(), t.model(), 0),
        "no complete answer within the gateway's default deadline of "
            + resilience.config().defaultDeadline().toSeconds() + "s", null));
  }

  private void end() {
    if (ended.compareAndSet(false, true)) {
      ScheduledFuture<?> p = pending;
      if (p != null) {
        p.cancel(false);
      }
      ScheduledFuture<?> t = timeout;
      if (t != null) {
        t.cancel(false);
      }
      onEnd.run();
    }
  }

  /** Forwards one attempt's chunks to the caller, with the caller's demand. */
  private final class AttemptSubscriber implements Flow.Subscriber<StreamChunk> {
    private final Target target;
    private final GatewayMetrics.UpstreamAttempt reported;
    private final AtomicBoolean requested = new AtomicBoolean();
    private final AtomicBoolean reportedEnd = new AtomicBoolean();
    private volatile Flow.Subscription subscription;
    private volatile boolean forwarded;

    AttemptSubscriber(Target target, GatewayMetrics.UpstreamAttempt reported) {
      this.target = target;
      this.reported = reported;
    }

    private void reportEnd(Throwable failure) {
      if (reportedEnd.compareAndSet(false, true)) {
        reported.end(failure);
      }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (ended.get() || out.isCancelled()) {
        s.cancel();
        return;
      }
      pull();
    }

    @Override
    public void onNext(StreamChunk chunk) {
      requested.set(false);
      if (!forwarded) {
        reported.firstToken();
      }
      forwarded = true;
      out.emit(chunk.isFinal() ? withAttempts(chunk) : chunk);
      pull();
    }

    @Override
    public void onError(Throwable failure) {
      reportEnd(failure);
      if (forwarded || ended.get()) {
        end();
        out.fail(failure);
      } else {
        failed(failure, target);
      }
    }

    @Override
    public void onComplete() {
      reportEnd(null);
      end();
      out.complete();
    }

    void pull() {
      Flow.Subscription s = subscription;
      if (s != null && out.wantsMore() && requested.compareAndSet(false, true)) {
        s.request(1);
      }
    }

    void cancel() {
      reportEnd(new CancellationException());
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }
  }

  private StreamChunk withAttempts(StreamChunk c) {
    if (plan.attempts() <= 1) {
      return c;
    }
    plan.outcome("ok");
    Map<String, String> metadata = new LinkedHashMap<>(c.metadata());
    metadata.put("attempts", Integer.toString(plan.attempts()));
    metadata.put("attempt_log", plan.log());
    return new StreamChunk(c.content(), c.reasoningContent(), c.toolCallDeltas(), c.toolCalls(), c.stopReason(),
        c.nativeStopReason(), true, c.usage(), c.model(), c.provider(), metadata, c.reasoningBlocks());
  }
}
