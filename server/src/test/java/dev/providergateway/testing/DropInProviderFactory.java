package dev.providergateway.testing;

import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;

/**
 * Test provider type {@code dropin}: deliberately not listed in the test classpath's service file,
 * so it is found only when a plugin jar in the plugins directory lists it.
 */
public final class DropInProviderFactory implements ProviderFactory {
  @Override
  public String type() {
    return "dropin";
  }

  @Override
  public Provider create(ProviderSettings settings) {
    return new ProbeProviderFactory().create(settings);
  }
}
