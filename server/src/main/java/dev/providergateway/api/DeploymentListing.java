package dev.providergateway.api;

import dev.providergateway.provider.ModelInfo;
import dev.providergateway.registry.Deployment;
import dev.providergateway.registry.RegisteredProvider;
import dev.providergateway.resilience.Cooldowns;
import dev.providergateway.resilience.ProviderBreaker;
import dev.providergateway.v1.CircuitState;
import dev.providergateway.v1.DeploymentInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One deployment as {@code ListProviders} shows it: its id, the short hash of its key (never the
 * key), its weight and model override, and its state now (breaker, cooldowns, load, latency).
 */
final class DeploymentListing {
  private DeploymentListing() {}

  static DeploymentInfo of(
      RegisteredProvider provider,
      Deployment deployment,
      Cooldowns cooldowns,
      boolean showUpstreamHosts,
      Instant now) {
    DeploymentInfo.Builder info =
        DeploymentInfo.newBuilder()
            .setId(deployment.id())
            .setKeyId(deployment.keyId())
            .setModel(deployment.model() == null ? "" : deployment.model())
            .setWeight(deployment.weight())
            .setCircuitState(circuit(deployment.breaker().state()))
            .setInFlight(Math.max(0, deployment.inFlight()))
            .setLatencyMs(Math.max(0, deployment.latencyNanos()) / 1e6);
    if (showUpstreamHosts) {
      info.setHost(deployment.host());
    }
    Optional<Cooldowns.Cooling> key = cooldowns.cooling(deployment.key());
    Optional<Cooldowns.Cooling> model = longest(modelCooldowns(provider, deployment, cooldowns));
    if (!deployment.breaker().admitsCalls()) {
      info.setState("circuit_open");
    } else if (key.isPresent()) {
      info.setState("key_disabled").setCooldownRemainingMs(millis(key.get(), now));
    } else if (model.isPresent()) {
      info.setState("cooling_down").setCooldownRemainingMs(millis(model.get(), now));
    } else {
      info.setState("available");
    }
    return info.build();
  }

  static CircuitState circuit(ProviderBreaker.State state) {
    return switch (state) {
      case CLOSED -> CircuitState.CIRCUIT_STATE_CLOSED;
      case OPEN -> CircuitState.CIRCUIT_STATE_OPEN;
      case HALF_OPEN -> CircuitState.CIRCUIT_STATE_HALF_OPEN;
    };
  }

  private static List<Cooldowns.Cooling> modelCooldowns(
      RegisteredProvider provider, Deployment deployment, Cooldowns cooldowns) {
    List<String> models = new ArrayList<>();
    var descriptor = provider.provider().descriptor();
    if (descriptor.defaultModel() != null) {
      models.add(descriptor.defaultModel());
    }
    for (ModelInfo m : descriptor.models()) {
      models.add(m.id());
    }
    List<Cooldowns.Cooling> found = new ArrayList<>();
    for (String m : models) {
      cooldowns.cooling(deployment.modelKey(m)).ifPresent(found::add);
    }
    return found;
  }

  private static Optional<Cooldowns.Cooling> longest(List<Cooldowns.Cooling> all) {
    return all.stream().max((a, b) -> a.until().compareTo(b.until()));
  }

  private static long millis(Cooldowns.Cooling c, Instant now) {
    Duration left = c.remaining(now);
    return left.toMillis();
  }
}
