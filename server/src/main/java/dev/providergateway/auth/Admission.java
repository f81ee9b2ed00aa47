package dev.providergateway.auth;

import static java.util.Objects.requireNonNull;

import dev.providergateway.config.RouteConfig;
import dev.providergateway.provider.GatewayAuthException;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.registry.RegisteredProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Decides, per request (a Converse turn is one), whether the current {@link Caller} may send it:
 * every target the request can reach must be on the key's allowlists, and the key must be within
 * its rate limits. Without a caller in the context (auth off) everything is admitted.
 *
 * <p>Targets are found as the dispatcher's route resolution finds them (a named provider; a route
 * alias, all of whose targets must be allowed; {@code provider/model}; the default provider). An
 * unknown provider name is checked against the allowlist as written, so a restricted key gets
 * PERMISSION_DENIED for it (and no list of the registered providers); an unrestricted key gets the
 * dispatcher's PROVIDER_NOT_FOUND. A refusal names only what the caller wrote, never a route's
 * targets or the default provider.
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
   * A request that passed the allowlists.
   *
   * @param keyId the caller's key id, empty when auth is off
   * @param limits the key's rate-limit decision: complete at once for in-process limits, later
   *     (never blocking) when they are shared through Redis; fails with {@link
   *     dev.providergateway.provider.GatewayOverloadedException} over a limit
   */
  public record Admitted(Optional<String> keyId, CompletableFuture<Void> limits) {}

  private static final Admitted ANONYMOUS =
      new Admitted(Optional.empty(), CompletableFuture.completedFuture(null));

  /**
   * Admits a request for {@code provider} and {@code model} (the request's raw fields) or throws
   * {@link GatewayAuthException.PermissionDenied}; the rate limits answer in {@link
   * Admitted#limits()}.
   */
  public Admitted admit(String provider, String model) {
    Optional<Caller> current = Caller.current();
    if (current.isEmpty()) {
      return ANONYMOUS;
    }
    Caller caller = current.get();
    Reach reach = reach(registry, provider, model);
    for (Target target : reach.targets()) {
      if (!caller.allowsProvider(target.provider())) {
        throw denied(caller, reach, target, false);
      }
      if (!caller.allowsModel(target.model())) {
        throw denied(caller, reach, target, true);
      }
    }
    return new Admitted(Optional.of(caller.keyId()), limits.admit(caller.keyId()));
  }

  /**
   * Whether {@code caller} may send a request naming {@code provider} and {@code model} (as {@link
   * #admit} would decide, rate limits aside); {@code ListProviders} shows a caller only what this
   * allows.
   */
  public static boolean permits(
      ProviderRegistry registry, Caller caller, String provider, String model) {
    for (Target target : reach(registry, provider, model).targets()) {
      if (!caller.allowsProvider(target.provider()) || !caller.allowsModel(target.model())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The refusal. It names only what the caller wrote (the provider or alias it sent, the route
   * alias, the model): never a route's hidden targets or the configured default provider, which a
   * restricted key has no business learning.
   */
  private static GatewayAuthException.PermissionDenied denied(
      Caller caller, Reach reach, Target target, boolean model) {
    String key = "API key '" + caller.keyId() + "'";
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("key_id", caller.keyId());
    String message;
    switch (reach.via()) {
      case ROUTE -> {
        message = key + " may not use route '" + reach.named() + "'";
        metadata.put("route", reach.named());
      }
      case DEFAULT -> {
        message =
            model && !reach.model().isEmpty()
                ? key + " may not use model '" + reach.model() + "'"
                : key + " may not use the default provider";
        if (model && !reach.model().isEmpty()) {
          metadata.put("model", reach.model());
        }
      }
      default -> {
        if (model) {
          message =
              key
                  + " may not use model '"
                  + target.model()
                  + "' at provider '"
                  + reach.named()
                  + "'";
          metadata.put("model", target.model());
        } else {
          message = key + " may not use provider '" + reach.named() + "'";
        }
        metadata.put("provider", reach.named());
      }
    }
    return new GatewayAuthException.PermissionDenied(message, metadata);
  }

  private record Target(String provider, String model) {}

  /** How a request reaches its targets: which way it was resolved and the name the caller used. */
  private enum Via {
    PROVIDER,
    ROUTE,
    DEFAULT
  }

  /**
   * A request's targets and how they were found.
   *
   * @param named what the caller wrote that resolved to them: the provider field or the {@code
   *     provider/} prefix (as written), or the route alias; empty for the default provider
   * @param model the model as the caller wrote it
   */
  private record Reach(Via via, String named, String model, List<Target> targets) {}

  /** Charges a finished request's tokens to {@code keyId}. */
  public void charge(String keyId, long tokens) {
    limits.charge(keyId, tokens);
  }

  /** {provider name, model} pairs, in the dispatcher's order of precedence. */
  private static Reach reach(ProviderRegistry registry, String provider, String model) {
    if (!provider.isEmpty()) {
      // Unknown names are checked as they are (fail closed): a restricted key learns nothing more.
      return new Reach(
          Via.PROVIDER,
          provider,
          model,
          List.of(
              registry
                  .find(provider)
                  .map(p -> target(p, model))
                  .orElse(new Target(provider, model))));
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
      return new Reach(Via.ROUTE, model, model, targets);
    }
    int slash = model.indexOf('/');
    if (slash > 0) {
      // As the dispatcher resolves it: an unknown prefix names a provider that does not exist.
      String name = model.substring(0, slash);
      String rest = model.substring(slash + 1);
      return new Reach(
          Via.PROVIDER,
          name,
          model,
          List.of(registry.find(name).map(p -> target(p, rest)).orElse(new Target(name, rest))));
    }
    return new Reach(
        Via.DEFAULT,
        "",
        model,
        registry
            .find(registry.defaultProvider())
            .map(p -> List.of(target(p, model)))
            .orElse(List.of()));
  }

  private static Target target(RegisteredProvider provider, String model) {
    String resolved = model.isEmpty() ? provider.provider().descriptor().defaultModel() : model;
    return new Target(provider.name(), resolved == null ? "" : resolved);
  }
}
