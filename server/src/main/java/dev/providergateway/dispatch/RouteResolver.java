package dev.providergateway.dispatch;

import dev.providergateway.config.RouteConfig;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.registry.RegisteredProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a request's {@code provider} and {@code model} fields into the ordered targets to try. In
 * order of precedence:
 *
 * <ol>
 *   <li>a non-empty {@code provider}: that provider (by name or alias) with {@code model};
 *   <li>{@code model} naming a route alias: the route's targets;
 *   <li>{@code model} of the form {@code provider/model} whose prefix is a registered provider:
 *       that provider with the rest (other slashes, as in {@code meta-llama/llama-3}, stay part of
 *       the model id);
 *   <li>otherwise the default provider with {@code model}.
 * </ol>
 *
 * An empty model becomes the provider's default model.
 */
final class RouteResolver {
  private final ProviderRegistry registry;

  RouteResolver(ProviderRegistry registry) {
    this.registry = registry;
  }

  List<Target> resolve(String provider, String model) {
    if (!provider.isEmpty()) {
      return List.of(target(registry.get(provider), model));
    }
    List<RouteConfig.RouteTarget> route = registry.routes().get(model);
    if (route != null) {
      List<Target> targets = new ArrayList<>(route.size());
      for (RouteConfig.RouteTarget t : route) {
        targets.add(target(registry.get(t.provider()), t.model()));
      }
      return targets;
    }
    int slash = model.indexOf('/');
    if (slash > 0) {
      var prefixed = registry.find(model.substring(0, slash));
      if (prefixed.isPresent()) {
        return List.of(target(prefixed.get(), model.substring(slash + 1)));
      }
    }
    return List.of(target(registry.get(registry.defaultProvider()), model));
  }

  private static Target target(RegisteredProvider provider, String model) {
    String resolved = model.isEmpty() ? provider.provider().descriptor().defaultModel() : model;
    return new Target(provider, resolved);
  }
}
