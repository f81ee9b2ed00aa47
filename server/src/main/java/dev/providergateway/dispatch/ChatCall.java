package dev.providergateway.dispatch;

import dev.providergateway.observability.GatewayMetrics;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.resilience.Bulkheads;
import dev.providergateway.resilience.ProviderBreaker;
import dev.providergateway.resilience.Resilience;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One non-streaming call through its attempts: each attempt passes the target's cooldown, takes
 * a provider slot and a circuit breaker permit, calls the provider, and settles all three; failed
 * attempts go to the {@link AttemptPlan}. Cancelling {@link #result} (the caller went away or its
 * deadline passed) cancels the attempt in flight and any pending retry. With no caller deadline
 * the configured default deadline ends the call with PROVIDER_TIMEOUT.
 */
final class ChatCall {
  final CompletableFuture<Dispatcher.ChatResult> result = new CompletableFuture<>();
  private final AttemptPlan plan;
  private final ChatRequest request;
  private final CallContext context;
  private final Resilience resilience;
  private final GatewayMetrics metrics;
  private final Attempts attempts;
  private volatile CompletableFuture<CompletionResponse> inFlight;
  private volatile ProviderBreaker.Permit inFlightPermit;
  private volatile ScheduledFuture<?> pending;

  /** Starts one attempt at a target; the dispatcher supplies it (it knows the fallback rules). */
  interface Attempts {
    CompletableFuture<CompletionResponse> start(Target target, ChatRequest request, CallContext context);
  }

  ChatCall(AttemptPlan plan, ChatRequest request, CallContext context, Resilience resilience, GatewayMetrics metrics,
      Attempts attempts, boolean callerDeadline) {
    this.metrics = metrics;
    this.plan = plan;
    this.request = request;
    this.context = context;
    this.resilience = resilience;
    this.attempts = attempts;
    if (!callerDeadline) {
      Duration left = Duration.between(Resilience.deadlineClock().instant(), plan.deadline());
      ScheduledFuture<?> timeout = resilience.scheduler().schedule(this::deadlinePassed,
          Math.max(0, left.toNanos()), TimeUnit.NANOSECONDS);
      result.whenComplete((r, e) -> timeout.cancel(false));
    }
    result.whenComplete((r, e) -> {
      if (e instanceof CancellationException || result.isCompletedExceptionally()) {
        CompletableFuture<CompletionResponse> call = inFlight;
        if (call != null) {
          call.cancel(true);
        }
        ScheduledFuture<?> p = pending;
        if (p != null) {
          p.cancel(false);
        }
      }
    });
  }

  void start() {
    attempt();
  }

  private void attempt() {
    if (result.isDone()) {
      return;
    }
    Target target = plan.current();
    String provider = target.provider().name();
    AttemptPlan.Admission admission;
    try {
      admission = plan.admit();
    } catch (RuntimeException e) {
      failed(e);
      return;
    }
    Bulkheads.Slot slot = admission.slot();
    ProviderBreaker.Permit permit = admission.permit();
    CompletableFuture<CompletionResponse> call;
    GatewayMetrics.UpstreamAttempt reported =
        metrics.upstreamAttempt(context, provider, target.model(), plan.attemptOnTarget());
    try {
      call = attempts.start(target, request.toBuilder().model(target.model()).build(), context);
    } catch (RuntimeException e) {
      reported.end(e);
      slot.release();
      permit.failure(e);
      failed(e);
      return;
    }
    inFlight = call;
    inFlightPermit = permit;
    call.whenComplete((response, failure) -> {
      slot.release();
      reported.end(failure == null ? null : unwrap(failure));
      if (failure == null) {
        permit.success();
        plan.outcome("ok");
        result.complete(new Dispatcher.ChatResult(provider, withAttempts(response)));
        return;
      }
      Throwable cause = unwrap(failure);
      if (cause instanceof CancellationException) {
        permit.release();
        return;
      }
      permit.failure(cause);
      resilience.cooldowns().record(provider, target.model(), cause);
      failed(cause);
    });
    if (result.isDone()) {
      call.cancel(true);
    }
  }

  private void failed(Throwable failure) {
    if (result.isDone()) {
      return;
    }
    Target failedTarget = plan.current();
    var delay = plan.next(failure);
    delay.ifPresent(d -> plan.report(metrics, context, failedTarget, failure, d));
    if (delay.isEmpty()) {
      result.completeExceptionally(failure);
    } else if (delay.get().isZero()) {
      attempt();
    } else {
      pending = resilience.scheduler().schedule(this::attempt, delay.get().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void deadlinePassed() {
    Target t = plan.current();
    ProviderException timeout = new ProviderException.Timeout(
        new ProviderException.Origin(t.provider().name(), t.model(), 0),
        "no answer within the gateway's default deadline of " + resilience.config().defaultDeadline().toSeconds() + "s",
        null);
    // The upstream did not answer in time: that counts against it, unlike a caller's cancel.
    ProviderBreaker.Permit permit = inFlightPermit;
    if (permit != null) {
      permit.failure(timeout);
    }
    result.completeExceptionally(timeout);
  }

  private CompletionResponse withAttempts(CompletionResponse r) {
    if (plan.attempts() <= 1) {
      return r;
    }
    Map<String, String> metadata = new LinkedHashMap<>(r.metadata());
    metadata.put("attempts", Integer.toString(plan.attempts()));
    metadata.put("attempt_log", plan.log());
    return new CompletionResponse(r.content(), r.toolCalls(), r.stopReason(), r.nativeStopReason(), r.usage(),
        r.model(), r.reasoningContent(), metadata, r.reasoningBlocks());
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  static Instant deadlineOf(CallContext context, Resilience resilience) {
    return context.deadline() != null ? context.deadline()
        : Resilience.deadlineClock().instant().plus(resilience.config().defaultDeadline());
  }
}
