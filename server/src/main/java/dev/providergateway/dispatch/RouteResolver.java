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
 *   <li>{@code model} of the form {@code provider/model}: that provider with the rest (other
 *       slashes, as in {@code together/meta-llama/llama-3}, stay part of the model id); a prefix
 *       that names no provider or alias is PROVIDER_NOT_FOUND naming the registered ones;
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
      // An unknown prefix is a typo, not a model id for the default provider: a model id that
      // holds a slash is sent with its provider in `provider`.
      return List.of(target(registry.get(model.substring(0, slash)), model.substring(slash + 1)));
    }
    return List.of(target(registry.get(registry.defaultProvider()), model));
  }

  private static Target target(RegisteredProvider provider, String model) {
    String resolved = model.isEmpty() ? provider.provider().descriptor().defaultModel() : model;
    return new Target(provider, resolved);
  }
}
