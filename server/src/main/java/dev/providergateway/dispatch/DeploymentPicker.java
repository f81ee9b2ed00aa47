package dev.providergateway.dispatch;

import dev.providergateway.config.BalanceStrategy;
import dev.providergateway.registry.Deployment;
import dev.providergateway.resilience.Cooldowns;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * The one balancer of the gateway. Chooses the deployment of a target for one attempt: among those
 * neither cooling down (for the model or the whole key) nor behind an open circuit, and not yet
 * failed in this call while others remain, by the provider's {@link BalanceStrategy}. Chooses a
 * balanced route's first target the same way, among the targets with an available deployment
 * ({@link #pick(List, Set, BalanceStrategy, Load)} over any candidates with a weight, a load and a
 * latency). Stateless; thread-safe.
 */
final class DeploymentPicker {
  private DeploymentPicker() {}

  /**
   * What a strategy reads of a candidate.
   *
   * @param weight the share under weighted balancing, at least 1
   * @param inFlight the calls in flight now
   * @param latencyNanos the moving-average latency in nanoseconds, negative before any measurement
   */
  record Load<T>(
      ToIntFunction<T> weight, ToLongFunction<T> inFlight, ToDoubleFunction<T> latencyNanos) {}

  /** A deployment's own weight, load and latency. */
  static final Load<Deployment> DEPLOYMENTS =
      new Load<>(Deployment::weight, Deployment::inFlight, Deployment::latencyNanos);

  /**
   * The load of a target, over the deployments of its provider: the calls in flight at all of them,
   * and the mean latency of those measured (negative while none is). Its weight is the route's, so
   * it is left to the caller.
   */
  static long targetInFlight(Target target) {
    long sum = 0;
    for (Deployment d : target.provider().deployments()) {
      sum += Math.max(0, d.inFlight());
    }
    return sum;
  }

  /** The mean moving-average latency of {@code target}'s measured deployments, -1 if none is. */
  static double targetLatencyNanos(Target target) {
    double sum = 0;
    int measured = 0;
    for (Deployment d : target.provider().deployments()) {
      double nanos = d.latencyNanos();
      if (nanos >= 0) {
        sum += nanos;
        measured++;
      }
    }
    return measured == 0 ? -1 : sum / measured;
  }

  /** The deployments of {@code target} that may take an attempt now, in configured order. */
  static List<Deployment> available(Target target, Cooldowns cooldowns) {
    List<Deployment> available = new ArrayList<>();
    for (Deployment d : target.provider().deployments()) {
      if (cooling(d, target.model(), cooldowns).isEmpty() && d.breaker().admitsCalls()) {
        available.add(d);
      }
    }
    return available;
  }

  /**
   * Picks one of {@code candidates} (non-empty) by {@code strategy}, preferring those not in {@code
   * failed}.
   */
  static Deployment pick(
      List<Deployment> candidates, Set<Deployment> failed, BalanceStrategy strategy) {
    return pick(candidates, failed, strategy, DEPLOYMENTS);
  }

  /**
   * Picks one of {@code candidates} (non-empty) by {@code strategy} reading {@code load},
   * preferring those not in {@code failed}.
   */
  static <T> T pick(List<T> candidates, Set<T> failed, BalanceStrategy strategy, Load<T> load) {
    List<T> fresh = new ArrayList<>(candidates.size());
    for (T d : candidates) {
      if (!failed.contains(d)) {
        fresh.add(d);
      }
    }
    List<T> from = fresh.isEmpty() ? candidates : fresh;
    if (from.size() == 1) {
      return from.get(0);
    }
    return switch (strategy) {
      case WEIGHTED_RANDOM -> weighted(from, load);
      case LEAST_IN_FLIGHT -> weighted(lowest(from, load.inFlight()), load);
      case LOWEST_LATENCY ->
          weighted(lowest(from, d -> latencyOrdinal(load.latencyNanos().applyAsDouble(d))), load);
    };
  }

  /**
   * The cooldown that keeps {@code d} from serving {@code model}: the whole key's (quota) or the
   * model's (rate limit), whichever ends later.
   */
  static Optional<Cooldowns.Cooling> cooling(Deployment d, String model, Cooldowns cooldowns) {
    if (cooldowns.none()) {
      return Optional.empty(); // the usual case: no key string is built, no clock read
    }
    Optional<Cooldowns.Cooling> key = cooldowns.cooling(d.key());
    Optional<Cooldowns.Cooling> own = cooldowns.cooling(d.modelKey(model));
    if (key.isEmpty()) {
      return own;
    }
    if (own.isEmpty() || key.get().until().isAfter(own.get().until())) {
      return key;
    }
    return own;
  }

  /** The shortest time until one of {@code target}'s cooling deployments may serve again. */
  static Optional<Duration> shortestCooldown(Target target, Cooldowns cooldowns, Instant now) {
    Duration shortest = null;
    for (Deployment d : target.provider().deployments()) {
      if (!d.breaker().admitsCalls()) {
        continue;
      }
      Optional<Cooldowns.Cooling> c = cooling(d, target.model(), cooldowns);
      if (c.isPresent() && c.get().reason() == Cooldowns.Reason.RATE_LIMIT) {
        Duration left = c.get().remaining(now);
        if (shortest == null || left.compareTo(shortest) < 0) {
          shortest = left;
        }
      }
    }
    return Optional.ofNullable(shortest);
  }

  private static long latencyOrdinal(double nanos) {
    // Not yet measured: try it first, so every candidate gets a measurement.
    return nanos < 0 ? -1 : (long) nanos;
  }

  private static <T> List<T> lowest(List<T> from, ToLongFunction<T> metric) {
    long min = Long.MAX_VALUE;
    List<T> best = new ArrayList<>();
    for (T d : from) {
      long m = metric.applyAsLong(d);
      if (m < min) {
        min = m;
        best.clear();
      }
      if (m == min) {
        best.add(d);
      }
    }
    return best;
  }

  private static <T> T weighted(List<T> from, Load<T> load) {
    if (from.size() == 1) {
      return from.get(0);
    }
    int total = 0;
    for (T d : from) {
      total += load.weight().applyAsInt(d);
    }
    int r = ThreadLocalRandom.current().nextInt(total);
    for (T d : from) {
      r -= load.weight().applyAsInt(d);
      if (r < 0) {
        return d;
      }
    }
    return from.get(from.size() - 1);
  }
}
