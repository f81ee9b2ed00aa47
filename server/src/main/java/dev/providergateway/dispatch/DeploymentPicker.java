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

/**
 * Chooses the deployment of a target for one attempt: among those neither cooling down (for the
 * model or the whole key) nor behind an open circuit, and not yet failed in this call while others
 * remain, by the provider's {@link BalanceStrategy}. Stateless; thread-safe.
 */
final class DeploymentPicker {
  private DeploymentPicker() {}

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
    List<Deployment> fresh = new ArrayList<>(candidates.size());
    for (Deployment d : candidates) {
      if (!failed.contains(d)) {
        fresh.add(d);
      }
    }
    List<Deployment> from = fresh.isEmpty() ? candidates : fresh;
    if (from.size() == 1) {
      return from.get(0);
    }
    return switch (strategy) {
      case WEIGHTED_RANDOM -> weighted(from);
      case LEAST_IN_FLIGHT -> weighted(lowest(from, d -> d.inFlight()));
      case LOWEST_LATENCY -> weighted(lowest(from, DeploymentPicker::latencyOrdinal));
    };
  }

  /**
   * The cooldown that keeps {@code d} from serving {@code model}: the whole key's (quota) or the
   * model's (rate limit), whichever ends later.
   */
  static Optional<Cooldowns.Cooling> cooling(Deployment d, String model, Cooldowns cooldowns) {
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

  private static long latencyOrdinal(Deployment d) {
    double nanos = d.latencyNanos();
    // Not yet measured: try it first, so every deployment gets a measurement.
    return nanos < 0 ? -1 : (long) nanos;
  }

  private static List<Deployment> lowest(
      List<Deployment> from, java.util.function.ToLongFunction<Deployment> metric) {
    long min = Long.MAX_VALUE;
    List<Deployment> best = new ArrayList<>();
    for (Deployment d : from) {
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

  private static Deployment weighted(List<Deployment> from) {
    if (from.size() == 1) {
      return from.get(0);
    }
    int total = 0;
    for (Deployment d : from) {
      total += d.weight();
    }
    int r = ThreadLocalRandom.current().nextInt(total);
    for (Deployment d : from) {
      r -= d.weight();
      if (r < 0) {
        return d;
      }
    }
    return from.get(from.size() - 1);
  }
}
