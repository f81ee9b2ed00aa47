package dev.providergateway.testing;

import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import java.util.List;
import java.util.Map;

/**
 * Test provider type {@code envkey}: registers itself automatically when {@code ENVKEY_API_KEY} is
 * set, as real providers do with their API-key variables. Its instances behave like probes.
 */
public final class EnvKeyProviderFactory implements ProviderFactory {
  @Override
  public String type() {
    return "envkey";
  }

  @Override
  public Provider create(ProviderSettings settings) {
    if (settings.apiKey() == null || settings.apiKey().isEmpty()) {
      throw new IllegalArgumentException("api_key is required (set ENVKEY_API_KEY)");
    }
    return new ProbeProviderFactory().create(settings);
  }

  @Override
  public List<ProviderSettings> autoConfigure(Map<String, String> env) {
    String key = env.get("ENVKEY_API_KEY");
    if (key == null) {
      return List.of();
    }
    return List.of(ProviderSettings.builder("envkey", "envkey").apiKey(key).env(env).build());
  }
}
