package dev.providergateway.dispatch;

import dev.providergateway.config.BalanceStrategy;
import dev.providergateway.config.RouteConfig;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.registry.RegisteredProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a request's {@code provider} and {@code model} fields into the ordered targets to try. In
 * order of precedence:
 *
 * <ol>
 *   <li>a non-empty {@code provider}: that provider (by name or alias) with {@code model};
 *   <li>{@code model} naming a route alias: the route's targets;
 *   <li>{@code model} of the form {@code provider/model}: that provider with the rest (other
 *       slashes, as in {@code together/meta-llama/llama-3}, stay part of the model id); a prefix
 *       that names no provider or alias is PROVIDER_NOT_FOUND naming the registered ones;
 *   <li>otherwise the default provider with {@code model}.
 * </ol>
 *
 * An empty model becomes the provider's default model. A route with a balancing strategy carries it
 * and its targets' weights, for {@link AttemptPlan} to pick each call's first target.
 */
final class RouteResolver {
  private final ProviderRegistry registry;

  RouteResolver(ProviderRegistry registry) {
    this.registry = registry;
  }

  /**
   * A call's targets in configured order, with how it picks its first one.
   *
   * @param targets at least one
   * @param balance empty to try them in order; else the strategy choosing the first target
   * @param weights each target's weight, index by index
   */
  record Resolved(List<Target> targets, Optional<BalanceStrategy> balance, List<Integer> weights) {
    Resolved {
      targets = List.copyOf(targets);
      weights = List.copyOf(weights);
      if (weights.size() != targets.size()) {
        throw new IllegalArgumentException("one weight per target");
      }
    }

    /** One target, nothing to balance. */
    static Resolved single(Target target) {
      return new Resolved(List.of(target), Optional.empty(), List.of(1));
    }
  }

  Resolved resolve(String provider, String model) {
    if (!provider.isEmpty()) {
      return Resolved.single(target(registry.get(provider), model));
    }
    List<RouteConfig.RouteTarget> route = registry.routes().get(model);
    if (route != null) {
      List<Target> targets = new ArrayList<>(route.size());
      List<Integer> weights = new ArrayList<>(route.size());
      for (RouteConfig.RouteTarget t : route) {
        targets.add(target(registry.get(t.provider()), t.model()));
        weights.add(t.weight());
      }
      return new Resolved(targets, registry.routeBalance(model).strategy(), weights);
    }
    int slash = model.indexOf('/');
    if (slash > 0) {
      // An unknown prefix is a typo, not a model id for the default provider: a model id that
      // holds a slash is sent with its provider in `provider`.
      String prefix = model.substring(0, slash);
      RegisteredProvider named =
          registry
              .find(prefix)
              .orElseThrow(
                  () ->
                      new dev.providergateway.provider.ProviderNotFoundException(
                          prefix,
                          model,
                          registry.all().stream().map(RegisteredProvider::name).toList()));
      return Resolved.single(target(named, model.substring(slash + 1)));
    }
    return Resolved.single(target(registry.get(registry.defaultProvider()), model));
  }

  private static Target target(RegisteredProvider provider, String model) {
    String resolved = model.isEmpty() ? provider.provider().descriptor().defaultModel() : model;
    return new Target(provider, resolved);
  }
}
