package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A route alias: a name clients may use instead of a provider, resolved to a list of targets. With
 * {@link Balance#ORDERED} (the default) the first target is preferred and later ones are fallbacks;
 * with a balancing strategy each call picks its first target by the strategy among the available
 * targets and keeps the others, in order, as its fallbacks.
 *
 * @param targets at least one target, in order of preference
 * @param balance how a call picks its first target
 */
public record RouteConfig(List<RouteTarget> targets, Balance balance) {

  public RouteConfig {
    targets = List.copyOf(targets);
    if (targets.isEmpty()) {
      throw ConfigException.at("targets", "the list is empty, expected at least one target");
    }
    requireNonNull(balance, "balance");
  }

  /** An ordered route: the first target preferred, the others fallbacks. */
  public RouteConfig(List<RouteTarget> targets) {
    this(targets, Balance.ORDERED);
  }

  /** How a route picks a call's first target ({@code balance} in the config). */
  public enum Balance {
    /** Always the first target; later ones are fallbacks (the default). */
    ORDERED(null),
    /** At random among the available targets, in proportion to each target's {@code weight}. */
    WEIGHTED_RANDOM(BalanceStrategy.WEIGHTED_RANDOM),
    /** The available target with the fewest calls in flight at its deployments; ties by weight. */
    LEAST_IN_FLIGHT(BalanceStrategy.LEAST_IN_FLIGHT),
    /** The available target with the lowest moving-average latency; unmeasured ones first. */
    LOWEST_LATENCY(BalanceStrategy.LOWEST_LATENCY);

    private final BalanceStrategy strategy;

    Balance(BalanceStrategy strategy) {
      this.strategy = strategy;
    }

    /** The balancing strategy, empty for {@link #ORDERED}. */
    public Optional<BalanceStrategy> strategy() {
      return Optional.ofNullable(strategy);
    }

    /** The name in the config file. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One place a route may send a request. Whether {@code provider} exists is left to the registry,
   * which also knows the built-in providers.
   *
   * @param provider a provider name or alias
   * @param model the model to ask for, {@code ""} for the provider's default
   * @param weight the target's share of first attempts under weighted balancing, 1..1000
   */
  public record RouteTarget(String provider, String model, int weight) {

    public RouteTarget {
      Checks.providerName("provider", provider);
      requireNonNull(model, "model");
      Checks.range("weight", weight, 1, 1000);
    }

    /** A target of weight 1. */
    public RouteTarget(String provider, String model) {
      this(provider, model, 1);
    }

    /** A target using the provider's default model. */
    public RouteTarget(String provider) {
      this(provider, "");
    }
  }
}
