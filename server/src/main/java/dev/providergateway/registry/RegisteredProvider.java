package dev.providergateway.registry;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.Provider;
import dev.providergateway.resilience.ProviderBreaker;
import java.util.List;

/** A provider instance as the registry holds it: with its aliases and its circuit breaker. */
public record RegisteredProvider(Provider provider, List<String> aliases, ProviderBreaker breaker) {
  public RegisteredProvider {
    requireNonNull(provider, "provider");
    aliases = List.copyOf(aliases);
    requireNonNull(breaker, "breaker");
  }

  /** The registry name. */
  public String name() {
    return provider.name();
  }
}
