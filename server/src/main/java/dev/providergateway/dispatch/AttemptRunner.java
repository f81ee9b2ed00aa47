package dev.providergateway.dispatch;

import dev.providergateway.observability.GatewayMetrics;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.Usage;
import dev.providergateway.registry.Deployment;
import dev.providergateway.resilience.Bulkheads;
import dev.providergateway.resilience.ProviderBreaker;
import dev.providergateway.resilience.Resilience;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One call through its attempts, unary and streaming alike. Each attempt passes the target's
 * cooldown, takes a provider slot and a breaker permit ({@link AttemptPlan#admit}), is reported to
 * the metrics, and is made by the call's {@link Strategy}; its end settles all three here, in one
 * place: success at a clean end, a counted failure when it failed before any output, a release when
 * it failed after output (the upstream worked for a while) or was cancelled before output, and a
 * success when it was cancelled after output.
 *
 * <p>A failure before output goes to the {@link AttemptPlan} (retry with backoff on the scheduler,
 * or fail over); after output the call ends with it, since output cannot be taken back. {@link
 * #cancel()} (the caller went away) cancels the attempt in flight and any pending retry. With no
 * caller deadline the configured default deadline ends the call with PROVIDER_TIMEOUT, counted
 * against the breaker when the attempt had sent nothing.
 *
 * <p>Thread-safe: attempts are sequential, but their signals, timers and the caller's cancel come
 * from any thread; each attempt and the call itself are settled exactly once.
 *
 * @param <R> what a successful attempt yields: a response, or a stream's final chunk
 */
final class AttemptRunner<R> {
  private final AttemptPlan plan;
  // Dropped at the first output, after which the call never makes another attempt: a held stream
  // must not keep the caller's whole prompt (tens of KB per stream for an agent's history).
  private volatile ChatRequest request;
  private final CallContext context;
  private final Resilience resilience;
  private final GatewayMetrics metrics;
  private final Strategy<R> strategy;
  private final Runnable onEnd;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile Attempt current;
  private volatile ScheduledFuture<?> pending;
  private volatile ScheduledFuture<?> timeout;

  /** How one kind of call makes an attempt and answers its caller. */
  interface Strategy<R> {
    /**
     * Starts one attempt at {@code target} with {@code request} (its model already the target's),
     * reporting through {@code attempt}; may report before it returns. Throwing counts as the
     * attempt failing.
     */
    Handle start(Target target, ChatRequest request, AttemptRunner<R>.Attempt attempt);

    /**
     * The call succeeded with {@code result} from {@code target}; {@code metadata} is to be added.
     */
    void succeed(Target target, R result, Map<String, String> metadata);

    /** The call failed with {@code failure}. */
    void fail(Throwable failure);
  }

  /** A started attempt. */
  interface Handle {
    /** Aborts the upstream request; idempotent. */
    void cancel();
  }

  /**
   * A runner of the call {@code plan} was made for.
   *
   * @param onEnd runs once when the call ends, however it ends (the dispatcher's call slot)
   */
  AttemptRunner(
      AttemptPlan plan,
      ChatRequest request,
      GatewayMetrics metrics,
      Strategy<R> strategy,
      Runnable onEnd) {
    this.plan = plan;
    this.context = plan.context();
    this.resilience = plan.resilience();
    this.request = request;
    this.metrics = metrics;
    this.strategy = strategy;
    this.onEnd = onEnd;
  }

  /** Arms the default deadline when the caller set none, and makes the first attempt. */
  void start() {
    if (context.deadline() == null) {
      Duration left = Duration.between(resilience.clock().instant(), plan.deadline());
      timeout =
          resilience
              .scheduler()
              .schedule(this::deadlinePassed, Math.max(0, left.toNanos()), TimeUnit.NANOSECONDS);
      if (ended.get()) {
        timeout.cancel(false);
      }
    }
    attempt();
  }

  /**
   * The caller went away: cancels the attempt in flight and any pending retry; no answer follows.
   */
  void cancel() {
    if (end()) {
      Attempt a = current;
      if (a != null) {
        a.cancel(null);
      }
    }
  }

  private void attempt() {
    if (ended.get()) {
      return;
    }
    AttemptPlan.Admission admission;
    try {
      admission = plan.admit();
    } catch (RuntimeException e) {
      retryOrFail(e);
      return;
    }
    Target target = plan.current();
    GatewayMetrics.UpstreamAttempt reported =
        metrics.upstreamAttempt(
            context,
            target.provider().name(),
            admission.deployment().id(),
            target.upstreamModel(),
            plan.attemptOnTarget());
    Attempt attempt = new Attempt(target, admission, reported);
    current = attempt;
    try {
      attempt.handle =
          strategy.start(
              target, request.toBuilder().model(target.upstreamModel()).build(), attempt);
    } catch (RuntimeException e) {
      attempt.failed(e);
      return;
    }
    if (ended.get()) {
      // The caller left while the attempt started: its cancel may have missed the handle.
      attempt.cancel(null);
    }
  }

  private void retryOrFail(Throwable failure) {
    if (ended.get()) {
      return;
    }
    Target failedTarget = plan.current();
    Optional<Duration> delay = plan.next(failure);
    delay.ifPresent(d -> plan.report(metrics, failedTarget, failure, d));
    if (delay.isEmpty()) {
      if (end()) {
        strategy.fail(plan.finalFailure(failure));
      }
    } else if (delay.get().isZero()) {
      attempt();
    } else {
      pending =
          resilience
              .scheduler()
              .schedule(this::attempt, delay.get().toNanos(), TimeUnit.NANOSECONDS);
      if (ended.get()) {
        pending.cancel(false);
      }
    }
  }

  private void deadlinePassed() {
    Target t = plan.current();
    ProviderException timeout =
        new ProviderException.Timeout(
            new ProviderException.Origin(t.provider().name(), t.model(), 0),
            "no complete answer within the gateway's default deadline of "
                + resilience.config().defaultDeadline().toSeconds()
                + "s",
            null,
            resilience.config().defaultDeadline());
    if (end()) {
      Attempt a = current;
      if (a != null) {
        // The upstream did not answer in time: that counts against it, unlike a caller's cancel.
        a.cancel(timeout);
      }
      strategy.fail(timeout);
    }
  }

  /** Ends the call once: stops its timers and gives back its slot. False if it had ended. */
  private boolean end() {
    if (!ended.compareAndSet(false, true)) {
      return false;
    }
    ScheduledFuture<?> p = pending;
    if (p != null) {
      p.cancel(false);
    }
    ScheduledFuture<?> t = timeout;
    if (t != null) {
      t.cancel(false);
    }
    onEnd.run();
    return true;
  }

  /** {@code metadata} with the {@code attempts} and {@code attempt_log} entries added. */
  static Map<String, String> withAttempts(
      Map<String, String> metadata, Map<String, String> attempts) {
    Map<String, String> all = new LinkedHashMap<>(metadata);
    all.putAll(attempts);
    return all;
  }

  private Map<String, String> attemptMetadata() {
    if (plan.attempts() <= 1) {
      return Map.of();
    }
    return Map.of("attempts", Integer.toString(plan.attempts()), "attempt_log", plan.log());
  }

  /**
   * One attempt, as its strategy reports it: {@link #output()} before each piece of output goes to
   * the caller, then {@link #succeeded} or {@link #failed} once. Reports after the first end, or
   * after the call ended, are ignored.
   */
  final class Attempt {
    private final Target target;
    private final Bulkheads.Slot slot;
    private final ProviderBreaker.Permit permit;
    private final Deployment deployment;
    private final GatewayMetrics.UpstreamAttempt reported;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final long startNanos;
    private final AtomicBoolean charged = new AtomicBoolean();
    private volatile boolean output;
    private volatile Handle handle;

    private Attempt(
        Target target, AttemptPlan.Admission admission, GatewayMetrics.UpstreamAttempt reported) {
      this.target = target;
      this.slot = admission.slot();
      this.permit = admission.permit();
      this.deployment = admission.deployment();
      this.reported = reported;
      this.startNanos = resilience.clock().nanoTime();
      deployment.started();
    }

    /** Output is about to reach the caller: from now on the request is never replayed. */
    void output() {
      if (!output) {
        output = true;
        request = null;
        // A stream's latency, for lowest-latency balancing, is its time to first output.
        deployment.measured(resilience.clock().nanoTime() - startNanos);
        reported.firstToken();
      }
    }

    /**
     * What this attempt consumed upstream, as the upstream reported it or as estimated: reported
     * once, whatever the attempt's outcome (a cancelled or timed-out attempt reports after it was
     * settled), so every attempt that consumed tokens is charged.
     *
     * @param model the model the upstream named, or "" for the one sent
     */
    void consumed(String model, Usage usage, boolean estimated) {
      if (usage.totalTokens() > 0 && charged.compareAndSet(false, true)) {
        reported.consumed(model, usage, estimated);
      }
    }

    /** True while the call wants this attempt's output. */
    boolean live() {
      return !settled.get() && !ended.get();
    }

    void succeeded(R result) {
      if (!settle(null)) {
        return;
      }
      if (!output) {
        deployment.measured(resilience.clock().nanoTime() - startNanos);
      }
      permit.success();
      plan.outcome("ok");
      if (end()) {
        strategy.succeed(target, result, attemptMetadata());
      }
    }

    void failed(Throwable failure) {
      Throwable cause =
          failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause()
              : failure;
      if (!settle(cause)) {
        return;
      }
      if (cause instanceof CancellationException) {
        permit.release();
      } else if (output) {
        // The upstream worked for a while; the failure still ends the call with an error.
        permit.release();
        if (end()) {
          strategy.fail(cause);
        }
      } else {
        plan.settleFailure(deployment, permit, cause);
        retryOrFail(cause);
      }
    }

    /**
     * The call ended under the attempt: {@code why} is null for the caller's cancel, or the default
     * deadline's timeout. Most calls end with their attempt already settled (an echo answers before
     * {@code start} returns), so the exception that settles it is made only when it settles:
     * filling in a stack trace costs more than such a whole call.
     */
    private void cancel(Throwable why) {
      if (!settled.get() && settle(new CancellationException())) {
        if (output) {
          permit.success();
        } else if (why == null) {
          permit.release();
        } else {
          plan.settleFailure(deployment, permit, why);
        }
      }
      Handle h = handle;
      if (h != null) {
        h.cancel();
      }
    }

    private boolean settle(Throwable failure) {
      if (!settled.compareAndSet(false, true)) {
        return false;
      }
      slot.release();
      deployment.finished();
      reported.end(failure);
      return true;
    }
  }
}
