package dev.providergateway.dispatch;

import dev.providergateway.observability.GatewayMetrics;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.CircuitOpenException;
import dev.providergateway.provider.ErrorReason;
import dev.providergateway.provider.GatewayException;
import dev.providergateway.provider.GatewayOverloadedException;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.registry.Deployment;
import dev.providergateway.resilience.Bulkheads;
import dev.providergateway.resilience.Cooldowns;
import dev.providergateway.resilience.ProviderBreaker;
import dev.providergateway.resilience.Resilience;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Which attempt comes next for one call, where, and when. A route with a balancing strategy starts
 * at the target the strategy picks among the available ones, the others following in configured
 * order ({@link #order}). Each attempt goes to a deployment of the current target chosen by the
 * provider's balancing strategy among those neither cooling down nor behind an open circuit ({@link
 * DeploymentPicker}).
 *
 * <p>After a failure before any output:
 *
 * <ul>
 *   <li>a rate limit (429, or 503/529 with a retry hint) cools that deployment's model down for the
 *       hint (else {@code rate_limit_cooldown}); a quota or billing 429 takes the deployment's key
 *       out for {@code quota_cooldown} (a reload also ends it). Demo providers are never cooled
 *       down: their failures are per-request test knobs.
 *   <li>if another deployment of the target can serve now, the call moves there at once;
 *   <li>else a rate-limited call moves to the route's next target at once; only when nothing else
 *       is available does it sleep for the shortest cooldown, if that fits the caller's deadline,
 *       {@code max_retries} and, summed over the call, {@code rate_limit_max_wait}; otherwise it
 *       fails with the shortest hint as RetryInfo;
 *   <li>another retryable failure is retried on the same target with backoff up to {@code
 *       max_retries}, then fails over to the route's next target.
 * </ul>
 *
 * Every extra attempt must fit before the deadline and take a token from the gateway-wide retry
 * budget (moves past a local refusal excepted). Callers stop consulting the plan once output
 * reached the client: a request is never replayed after that. One call counts at most once toward
 * each deployment's breaker ({@link #settleFailure}).
 *
 * <p>Not thread-safe: a call's attempts are sequential.
 */
final class AttemptPlan {
  private final List<Target> targets;
  private final CallContext context;
  private final Instant deadline;
  private final Resilience resilience;

  /**
   * How each attempt ended, as a target's label or a note and a result; made when the first attempt
   * ends and joined only when asked for (a call answered at the first attempt never asks).
   */
  private List<Outcome> log;

  private final Set<Deployment> failedOnTarget = new HashSet<>();
  private final Set<ProviderBreaker> charged = new HashSet<>();
  private int index;
  private int retriesOnTarget;
  private int attempts;
  private boolean refusedLocally;
  private Deployment deployment;
  private Duration waited = Duration.ZERO;
  private Throwable giveUp;

  /** A target's admission for one attempt: its provider slot, breaker permit and deployment. */
  record Admission(Bulkheads.Slot slot, ProviderBreaker.Permit permit, Deployment deployment) {}

  /**
   * A plan for the call of {@code context}: its caller's deadline, else the configured default from
   * now.
   */
  AttemptPlan(List<Target> targets, CallContext context, Resilience resilience) {
    this(
        new RouteResolver.Resolved(targets, Optional.empty(), ones(targets.size())),
        context,
        resilience);
  }

  /**
   * A plan for {@code route}: with a balancing strategy, its first target is picked by the strategy
   * among the targets with an available deployment (not cooling down, breaker admitting calls), and
   * the others follow in configured order as fallbacks; without one, or when no target is
   * available, the configured order.
   */
  AttemptPlan(RouteResolver.Resolved route, CallContext context, Resilience resilience) {
    this.targets = order(route, resilience.cooldowns());
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

  /** The targets of {@code route} in the order this call tries them. */
  static List<Target> order(RouteResolver.Resolved route, Cooldowns cooldowns) {
    List<Target> targets = route.targets();
    if (route.balance().isEmpty() || targets.size() < 2) {
      return targets;
    }
    List<Integer> available = new ArrayList<>(targets.size());
    for (int i = 0; i < targets.size(); i++) {
      if (!DeploymentPicker.available(targets.get(i), cooldowns).isEmpty()) {
        available.add(i);
      }
    }
    if (available.isEmpty()) {
      return targets;
    }
    DeploymentPicker.Load<Integer> load =
        new DeploymentPicker.Load<>(
            i -> route.weights().get(i),
            i -> DeploymentPicker.targetInFlight(targets.get(i)),
            i -> DeploymentPicker.targetLatencyNanos(targets.get(i)));
    int first = DeploymentPicker.pick(available, Set.of(), route.balance().get(), load);
    if (first == 0) {
      return targets;
    }
    List<Target> ordered = new ArrayList<>(targets.size());
    ordered.add(targets.get(first));
    for (int i = 0; i < targets.size(); i++) {
      if (i != first) {
        ordered.add(targets.get(i));
      }
    }
    return ordered;
  }

  private static List<Integer> ones(int n) {
    return java.util.Collections.nCopies(n, 1);
  }

  Resilience resilience() {
    return resilience;
  }

  /** The current target, with the deployment of its latest admitted attempt if any. */
  Target current() {
    Target t = targets.get(index);
    return deployment == null ? t : t.at(deployment);
  }

  Instant deadline() {
    return deadline;
  }

  /**
   * Admits an attempt at the current target: picks an available deployment, then takes a provider
   * slot and the deployment's breaker permit. A refusal is thrown (with the slot given back) and
   * remembered, since an attempt the gateway refused never reached the upstream. Counts the attempt
   * either way.
   */
  Admission admit() {
    attempts++;
    Target target = targets.get(index);
    refusedLocally = true;
    deployment = null;
    List<Deployment> available = DeploymentPicker.available(target, resilience.cooldowns());
    if (available.isEmpty()) {
      throw refusal(target);
    }
    Deployment chosen =
        DeploymentPicker.pick(available, failedOnTarget, target.provider().balance());
    deployment = chosen;
    Bulkheads.Slot slot = resilience.bulkheads().acquireProvider(target.provider().name());
    ProviderBreaker.Permit permit;
    try {
      permit = chosen.breaker().acquire(target.model());
    } catch (RuntimeException e) {
      slot.release();
      throw e;
    }
    refusedLocally = false;
    return new Admission(slot, permit, chosen);
  }

  /**
   * Settles a failed attempt's permit: the first counted failure of this call at a breaker counts,
   * later ones are released, so one call opens no breaker by its retries alone.
   */
  void settleFailure(Deployment at, ProviderBreaker.Permit permit, Throwable cause) {
    if (ProviderBreaker.counts(cause) && !charged.add(at.breaker())) {
      permit.release();
    } else {
      permit.failure(cause);
    }
  }

  /** Notes how the current attempt ended, for the response metadata. */
  void outcome(String result) {
    note(current(), result);
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
    if (log == null) {
      return "";
    }
    StringJoiner joined = new StringJoiner("; ");
    for (Outcome o : log) {
      joined.add(o.target() == null ? o.result() : o.target().label() + " " + o.result());
    }
    return joined.toString();
  }

  private void note(Target target, String result) {
    if (log == null) {
      log = new ArrayList<>(2);
    }
    log.add(new Outcome(target, result));
  }

  /**
   * One entry of the attempt log: how an attempt at {@code target} ended, or a note (no target).
   */
  private record Outcome(Target target, String result) {}

  /**
   * The failure to end the call with after {@link #next} gave up on {@code last}: {@code last}
   * itself, or a rate limit naming the shortest cooldown when several deployments were throttled.
   */
  Throwable finalFailure(Throwable last) {
    return giveUp != null ? giveUp : last;
  }

  /**
   * After the current attempt failed with {@code failure} (before any output): the delay before the
   * next attempt, having moved to another deployment or the next target if needed; empty to give up
   * (then {@link #finalFailure} says with what).
   */
  Optional<Duration> next(Throwable failure) {
    outcome(reasonOf(failure));
    giveUp = null;
    Target target = targets.get(index);
    boolean throttled = throttled(failure);
    if (deployment != null) {
      if (!refusedLocally) {
        coolDown(target, deployment, failure);
      }
      failedOnTarget.add(deployment);
    }
    Instant now = resilience.clock().instant();
    Duration wait = null;
    if (deployment != null && canFailOver(failure) && hasFresh(target)) {
      wait = Duration.ZERO;
    } else if (throttled && index + 1 < targets.size()) {
      moveToNextTarget();
      wait = Duration.ZERO;
    } else if (throttled) {
      Optional<Duration> shortest =
          DeploymentPicker.shortestCooldown(target, resilience.cooldowns(), now);
      if (shortest.isPresent()
          && retriesOnTarget < resilience.config().maxRetries()
          && waited.plus(shortest.get()).compareTo(resilience.config().rateLimitMaxWait()) <= 0
          && !now.plus(shortest.get()).isAfter(deadline)) {
        wait = shortest.get();
        waited = waited.plus(wait);
        retriesOnTarget++;
        failedOnTarget.clear();
      } else {
        giveUp = throttledOut(target, failure, shortest);
        return Optional.empty();
      }
    } else if (failure instanceof ProviderException e
        && e.retryable()
        && !refusedLocally
        && retriesOnTarget < resilience.config().maxRetries()) {
      wait = resilience.backoff().delay(retriesOnTarget, e.retryAfter().orElse(null));
      retriesOnTarget++;
    } else if (canFailOver(failure) && index + 1 < targets.size()) {
      moveToNextTarget();
      wait = Duration.ZERO;
    }
    if (wait == null) {
      return Optional.empty();
    }
    if (now.plus(wait).isAfter(deadline)) {
      return Optional.empty();
    }
    // Only replays of requests that reached the upstream are extra load: moving past a target
    // that refused locally (open circuit, cooldown, full limit) costs the upstream nothing.
    if (!refusedLocally && !resilience.budget().tryRetry()) {
      note(null, "retry budget spent");
      return Optional.empty();
    }
    return Optional.of(wait);
  }

  /** Reports the decision {@link #next} just made, as a retry or a fallback. */
  void report(GatewayMetrics metrics, Target failedTarget, Throwable failure, Duration delay) {
    ErrorReason reason =
        failure instanceof GatewayException g ? g.reason() : ErrorReason.PROVIDER_ERROR;
    Target now = targets.get(index);
    if (now.provider() == failedTarget.provider()
        && now.model().equals(failedTarget.model())
        && !delay.isZero()) {
      metrics.retry(context, failedTarget.provider().name(), failedTarget.model(), reason, delay);
    } else {
      metrics.fallback(context, failedTarget.provider().name(), now.provider().name(), reason);
    }
  }

  private void moveToNextTarget() {
    index++;
    retriesOnTarget = 0;
    failedOnTarget.clear();
    deployment = null;
  }

  /** True when a deployment of {@code target} not yet failed in this call may serve now. */
  private boolean hasFresh(Target target) {
    for (Deployment d : DeploymentPicker.available(target, resilience.cooldowns())) {
      if (!failedOnTarget.contains(d)) {
        return true;
      }
    }
    return false;
  }

  /** Starts the cooldown {@code failure} calls for at {@code at}, if any. */
  private void coolDown(Target target, Deployment at, Throwable failure) {
    if (target.provider().provider().descriptor().demo()) {
      // Test knobs of one request must not lock every other caller out.
      return;
    }
    var config = resilience.config();
    Instant now = resilience.clock().instant();
    if (failure instanceof ProviderException.QuotaExceeded) {
      if (!config.quotaCooldown().isZero()) {
        resilience
            .cooldowns()
            .coolDown(at.key(), now.plus(config.quotaCooldown()), Cooldowns.Reason.QUOTA);
      }
    } else if (throttled(failure)) {
      ProviderException e = (ProviderException) failure;
      Duration d = e.retryAfter().orElse(config.rateLimitCooldown());
      if (!d.isZero()) {
        resilience
            .cooldowns()
            .coolDown(at.modelKey(target.model()), now.plus(d), Cooldowns.Reason.RATE_LIMIT);
      }
    }
  }

  /** The refusal when no deployment of {@code target} may serve now. */
  private RuntimeException refusal(Target target) {
    String provider = target.provider().name();
    int count = target.provider().deployments().size();
    String which = count == 1 ? provider : "every deployment of " + provider;
    Instant now = resilience.clock().instant();
    ProviderException.Origin origin = new ProviderException.Origin(provider, target.model(), 429);
    Optional<Duration> shortest =
        DeploymentPicker.shortestCooldown(target, resilience.cooldowns(), now);
    if (shortest.isPresent()) {
      return new ProviderException.RateLimited(
          origin,
          "cooling down after a rate limit from "
              + which
              + " (HTTP 429); retry in "
              + retrySeconds(shortest.get())
              + "s",
          shortest.get());
    }
    for (Deployment d : target.provider().deployments()) {
      var quota = resilience.cooldowns().cooling(d.key());
      if (quota.isPresent() && quota.get().reason() == Cooldowns.Reason.QUOTA) {
        return new ProviderException.QuotaExceeded(
            origin,
            "the API key of "
                + which
                + " is taken out after a quota or billing error, for "
                + retrySeconds(quota.get().remaining(now))
                + "s more or until the config is reloaded");
      }
    }
    // Every deployment is behind an open circuit: its own refusal says for how long.
    return target.provider().deployments().get(0).breaker().refusal(target.model());
  }

  /** The failure that ends a throttled call: the shortest hint when several were throttled. */
  private Throwable throttledOut(Target target, Throwable failure, Optional<Duration> shortest) {
    if (shortest.isEmpty()
        || target.provider().deployments().size() == 1 && targets.size() == 1
        || !(failure instanceof ProviderException)) {
      return failure;
    }
    return new ProviderException.RateLimited(
        new ProviderException.Origin(target.provider().name(), target.model(), 429),
        "every deployment of "
            + target.provider().name()
            + " is rate-limited for model "
            + target.model()
            + "; retry in "
            + retrySeconds(shortest.get())
            + "s",
        shortest.get());
  }

  private static long retrySeconds(Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }

  /** A rate limit: 429, or a 5xx (503, 529) that says when to come back. */
  static boolean throttled(Throwable failure) {
    return failure instanceof ProviderException.RateLimited
        || failure instanceof ProviderException.QuotaExceeded
        || failure instanceof ProviderException.Unavailable u && u.retryAfter().isPresent();
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
