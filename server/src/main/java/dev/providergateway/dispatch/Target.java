package dev.providergateway.dispatch;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.Provider;
import dev.providergateway.registry.Deployment;
import dev.providergateway.registry.RegisteredProvider;

/**
 * One concrete destination of a call: a registered provider and a non-empty model id, and, once an
 * attempt was admitted, the deployment that serves it.
 *
 * @param deployment the chosen deployment, or null before one was chosen
 */
record Target(RegisteredProvider provider, String model, Deployment deployment) {
  Target {
    requireNonNull(provider, "provider");
    requireNonNull(model, "model");
  }

  /** A target whose deployment is still to be chosen. */
  Target(RegisteredProvider provider, String model) {
    this(provider, model, null);
  }

  /** This target served by {@code chosen}. */
  Target at(Deployment chosen) {
    return new Target(provider, model, chosen);
  }

  /** The provider instance to call: the chosen deployment's, else the provider's first. */
  Provider upstream() {
    return deployment == null ? provider.provider() : deployment.upstream();
  }

  /** The model id to send upstream: the deployment's override, else {@link #model()}. */
  String upstreamModel() {
    return deployment == null ? model : deployment.upstreamModel(model);
  }

  /** {@code provider/model}, with {@code @deployment} when a named deployment was chosen. */
  String label() {
    String base = provider.name() + "/" + model;
    return deployment == null || provider.deployments().size() == 1 && isDefault()
        ? base
        : base + "@" + deployment.id();
  }

  private boolean isDefault() {
    return "default".equals(deployment.id());
  }
}
