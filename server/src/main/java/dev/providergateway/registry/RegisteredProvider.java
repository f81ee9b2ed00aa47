package dev.providergateway.registry;

import static java.util.Objects.requireNonNull;

import dev.providergateway.config.BalanceStrategy;
import dev.providergateway.provider.Provider;
import dev.providergateway.resilience.ProviderBreaker;
import java.util.List;

/**
 * A provider as the registry holds it: with its aliases, its deployments (each with its own
 * provider instance and circuit breaker) and how calls are spread over them.
 *
 * @param provider the first deployment's provider instance: its descriptor speaks for the provider
 * @param breaker the first deployment's breaker (the only one for a provider without deployments)
 * @param deployments at least one; the first is {@code provider} and {@code breaker}
 * @param balance how calls are spread over the available deployments
 */
public record RegisteredProvider(
    Provider provider,
    List<String> aliases,
    ProviderBreaker breaker,
    List<Deployment> deployments,
    BalanceStrategy balance) {
  public RegisteredProvider {
    requireNonNull(provider, "provider");
    aliases = List.copyOf(aliases);
    requireNonNull(breaker, "breaker");
    deployments = List.copyOf(deployments);
    if (deployments.isEmpty()) {
      throw new IllegalArgumentException("a provider needs at least one deployment");
    }
    requireNonNull(balance, "balance");
  }

  /** A provider with one implicit deployment: {@code provider} itself. */
  public RegisteredProvider(Provider provider, List<String> aliases, ProviderBreaker breaker) {
    this(
        provider,
        aliases,
        breaker,
        List.of(Deployment.implicit(provider, breaker)),
        BalanceStrategy.WEIGHTED_RANDOM);
  }

  /** The registry name. */
  public String name() {
    return provider.name();
  }

  /**
   * The provider's circuit state as one value: closed while any deployment's breaker is closed,
   * else half-open while any is, else open.
   */
  public ProviderBreaker.State state() {
    ProviderBreaker.State best = ProviderBreaker.State.OPEN;
    for (Deployment d : deployments) {
      ProviderBreaker.State s = d.breaker().state();
      if (s == ProviderBreaker.State.CLOSED) {
        return s;
      }
      if (s == ProviderBreaker.State.HALF_OPEN) {
        best = s;
      }
    }
    return best;
  }
}
