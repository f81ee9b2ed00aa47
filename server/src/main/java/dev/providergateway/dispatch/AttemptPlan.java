package dev.providergateway.dispatch;

import dev.providergateway.observability.GatewayMetrics;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.CircuitOpenException;
import dev.providergateway.provider.ErrorReason;
import dev.providergateway.provider.GatewayException;
import dev.providergateway.provider.GatewayOverloadedException;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.resilience.Bulkheads;
import dev.providergateway.resilience.ProviderBreaker;
import dev.providergateway.resilience.Resilience;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Which attempt comes next for one call, and when. A retryable upstream failure is retried on the
 * same target with backoff (the upstream's Retry-After wins) up to {@code max_retries}; a target
 * that cannot be used (open circuit, rate-limit cooldown, full provider limit) or whose retries are
 * spent fails over to the route's next target. Every extra attempt must fit before the deadline and
 * take a token from the gateway-wide retry budget. Callers stop consulting the plan once output
 * reached the client: a request is never replayed after that.
 *
 * <p>Not thread-safe: a call's attempts are sequential.
 */
final class AttemptPlan {
  private final List<Target> targets;
  private final CallContext context;
  private final Instant deadline;
  private final Resilience resilience;
  private final StringJoiner log = new StringJoiner("; ");
  private int index;
  private int retriesOnTarget;
  private int attempts;
  private boolean refusedLocally;

  /** A target's admission for one attempt: its provider slot and circuit breaker permit. */
  record Admission(Bulkheads.Slot slot, ProviderBreaker.Permit permit) {}

  /**
   * A plan for the call of {@code context}: its caller's deadline, else the configured default from
   * now.
   */
  AttemptPlan(List<Target> targets, CallContext context, Resilience resilience) {
    this.targets = targets;
    this.context = context;
    this.resilience = resilience;
    this.deadline =
        context.deadline() != null
            ? context.deadline()
            : resilience.clock().instant().plus(resilience.config().defaultDeadline());
  }

  CallContext context() {
    return context;
  }

  Resilience resilience() {
    return resilience;
  }

  Target current() {
    return targets.get(index);
  }

  Instant deadline() {
    return deadline;
  }

  /**
   * Admits an attempt at the current target: its rate-limit cooldown, a provider slot, a breaker
   * permit, in that order. A refusal is thrown (with the slot given back) and remembered, since an
   * attempt the gateway refused never reached the upstream. Counts the attempt either way.
   */
  Admission admit() {
    attempts++;
    Target target = current();
    String provider = target.provider().name();
    refusedLocally = true;
    resilience.cooldowns().check(provider, target.model());
    Bulkheads.Slot slot = resilience.bulkheads().acquireProvider(provider);
    ProviderBreaker.Permit permit;
    try {
      permit = target.provider().breaker().acquire(target.model());
    } catch (RuntimeException e) {
      slot.release();
      throw e;
    }
    refusedLocally = false;
    return new Admission(slot, permit);
  }

  /** Notes how the current attempt ended, for the response metadata. */
  void outcome(String result) {
    log.add(current().provider().name() + "/" + current().model() + " " + result);
  }

  /** The number of the coming attempt at the current target: 1, then 2 for its first retry, ... */
  int attemptOnTarget() {
    return retriesOnTarget + 1;
  }

  /** The attempts made, for {@code attempts} and {@code attempt_log} metadata. */
  int attempts() {
    return attempts;
  }

  String log() {
    return log.toString();
  }

  /**
   * After the current attempt failed with {@code failure} (before any output): the delay before the
   * next attempt, having moved to the next target if needed; empty to give up.
   */
  Optional<Duration> next(Throwable failure) {
    outcome(reasonOf(failure));
    Duration wait = null;
    if (failure instanceof ProviderException e
        && e.retryable()
        && !refusedLocally
        && retriesOnTarget < resilience.config().maxRetries()) {
      wait = resilience.backoff().delay(retriesOnTarget, e.retryAfter().orElse(null));
      retriesOnTarget++;
    } else if (canFailOver(failure) && index + 1 < targets.size()) {
      index++;
      retriesOnTarget = 0;
      wait = Duration.ZERO;
    }
    if (wait == null) {
      return Optional.empty();
    }
    Instant now = resilience.clock().instant();
    if (now.plus(wait).isAfter(deadline)) {
      return Optional.empty();
    }
    // Only replays of requests that reached the upstream are extra load: moving past a target
    // that refused locally (open circuit, cooldown, full limit) costs the upstream nothing.
    if (!refusedLocally && !resilience.budget().tryRetry()) {
      log.add("retry budget spent");
      return Optional.empty();
    }
    return Optional.of(wait);
  }

  /** Reports the decision {@link #next} just made, as a retry or a fallback. */
  void report(GatewayMetrics metrics, Target failedTarget, Throwable failure, Duration delay) {
    ErrorReason reason =
        failure instanceof GatewayException g ? g.reason() : ErrorReason.PROVIDER_ERROR;
    if (current() == failedTarget) {
      metrics.retry(context, failedTarget.provider().name(), failedTarget.model(), reason, delay);
    } else {
      metrics.fallback(
          context, failedTarget.provider().name(), current().provider().name(), reason);
    }
  }

  /** Failures that say this target cannot serve now, while another might. */
  private static boolean canFailOver(Throwable failure) {
    return failure instanceof CircuitOpenException
        || failure instanceof GatewayOverloadedException
        || failure instanceof ProviderException e
            && (e.retryable() || e instanceof ProviderException.QuotaExceeded);
  }

  private static String reasonOf(Throwable failure) {
    if (failure instanceof GatewayException g) {
      return g.reason().name();
    }
    // Not the class name: the attempt log reaches the caller in the response metadata.
    return "INTERNAL";
  }
}
