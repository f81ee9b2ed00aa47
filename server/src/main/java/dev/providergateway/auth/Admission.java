package dev.providergateway.auth;

import static java.util.Objects.requireNonNull;

import dev.providergateway.config.RouteConfig;
import dev.providergateway.provider.GatewayAuthException;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.registry.RegisteredProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides, per request (a Converse turn is one), whether the current {@link Caller} may send it:
 * every target the request can reach must be on the key's allowlists, and the key must be within
 * its rate limits. Without a caller in the context (auth off) everything is admitted.
 *
 * <p>Targets are found as the dispatcher's route resolution finds them (a named provider; a route
 * alias, all of whose targets must be allowed; {@code provider/model}; the default provider). An
 * unknown provider name is checked against the allowlist as written, so a restricted key gets
 * PERMISSION_DENIED for it (and no list of the registered providers); an unrestricted key gets the
 * dispatcher's PROVIDER_NOT_FOUND.
 */
public final class Admission {
  private final ProviderRegistry registry;
  private final KeyRateLimits limits;

  /** Admission against {@code registry}'s providers and routes with {@code limits}. */
  public Admission(ProviderRegistry registry, KeyRateLimits limits) {
    this.registry = requireNonNull(registry, "registry");
    this.limits = requireNonNull(limits, "limits");
  }

  /**
   * Admits a request for {@code provider} and {@code model} (the request's raw fields) or throws
   * {@link GatewayAuthException.PermissionDenied} or, from the rate limits, {@link
   * dev.providergateway.provider.GatewayOverloadedException}.
   *
   * @return the caller's key id, empty when auth is off
   */
  public Optional<String> admit(String provider, String model) {
    Optional<Caller> current = Caller.current();
    if (current.isEmpty()) {
      return Optional.empty();
    }
    Caller caller = current.get();
    for (Target target : targets(provider, model)) {
      if (!caller.allowsProvider(target.provider())) {
        throw new GatewayAuthException.PermissionDenied(
            "API key '" + caller.keyId() + "' may not use provider '" + target.provider() + "'",
            Map.of("key_id", caller.keyId(), "provider", target.provider()));
      }
      if (!caller.allowsModel(target.model())) {
        throw new GatewayAuthException.PermissionDenied(
            "API key '"
                + caller.keyId()
                + "' may not use model '"
                + target.model()
                + "' at provider '"
                + target.provider()
                + "'",
            Map.of(
                "key_id", caller.keyId(), "provider", target.provider(), "model", target.model()));
      }
    }
    limits.admit(caller.keyId());
    return Optional.of(caller.keyId());
  }

  private record Target(String provider, String model) {}

  /** Charges a finished request's tokens to {@code keyId}. */
  public void charge(String keyId, long tokens) {
    limits.charge(keyId, tokens);
  }

  /** {provider name, model} pairs, in the dispatcher's order of precedence. */
  private List<Target> targets(String provider, String model) {
    if (!provider.isEmpty()) {
      // Unknown names are checked as they are (fail closed): a restricted key learns nothing more.
      return List.of(
          registry.find(provider).map(p -> target(p, model)).orElse(new Target(provider, model)));
    }
    List<RouteConfig.RouteTarget> route = registry.routes().get(model);
    if (route != null) {
      List<Target> targets = new ArrayList<>();
      for (RouteConfig.RouteTarget t : route) {
        targets.add(
            registry
                .find(t.provider())
                .map(p -> target(p, t.model()))
                .orElse(new Target(t.provider(), t.model())));
      }
      return targets;
    }
    int slash = model.indexOf('/');
    if (slash > 0) {
      Optional<RegisteredProvider> prefixed = registry.find(model.substring(0, slash));
      if (prefixed.isPresent()) {
        return List.of(target(prefixed.get(), model.substring(slash + 1)));
      }
    }
    return registry
        .find(registry.defaultProvider())
        .map(p -> List.of(target(p, model)))
        .orElse(List.of());
  }

  private static Target target(RegisteredProvider provider, String model) {
    String resolved = model.isEmpty() ? provider.provider().descriptor().defaultModel() : model;
    return new Target(provider.name(), resolved == null ? "" : resolved);
  }
}
