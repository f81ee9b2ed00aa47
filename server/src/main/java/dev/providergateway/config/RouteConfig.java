package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A route alias: a name clients may use instead of a provider, resolved to an ordered list of
 * targets (the first is preferred, later ones are fallbacks).
 *
 * @param targets at least one target, in order of preference
 */
public record RouteConfig(List<RouteTarget> targets) {

  public RouteConfig {
    targets = List.copyOf(targets);
    if (targets.isEmpty()) {
      throw ConfigException.at("targets", "the list is empty, expected at least one target");
    }
  }

  /**
   * One place a route may send a request. Whether {@code provider} exists is left to the registry,
   * which also knows the built-in providers.
   *
   * @param provider a provider name or alias
   * @param model the model to ask for, {@code ""} for the provider's default
   */
  public record RouteTarget(String provider, String model) {

    public RouteTarget {
      Checks.providerName("provider", provider);
      requireNonNull(model, "model");
    }

    /** A target using the provider's default model. */
    public RouteTarget(String provider) {
      this(provider, "");
    }
  }
}
