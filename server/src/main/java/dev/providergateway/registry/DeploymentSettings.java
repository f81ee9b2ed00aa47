package dev.providergateway.registry;

import dev.providergateway.config.DeploymentConfig;
import dev.providergateway.provider.ProviderSettings;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A deployment's provider settings: the entry's, with the deployment's base URL, API key and
 * headers (added to the entry's {@code options.headers}) where it sets them. The provider's factory
 * builds one provider instance from them, so every wire protocol supports deployments alike.
 */
final class DeploymentSettings {
  private DeploymentSettings() {}

  static ProviderSettings apply(ProviderSettings entry, DeploymentConfig deployment) {
    ProviderSettings.Builder own = entry.toBuilder();
    if (deployment.baseUrl() != null) {
      own.baseUrl(deployment.baseUrl());
    }
    if (deployment.apiKey() != null) {
      own.apiKey(deployment.apiKey().reveal());
    }
    if (!deployment.headers().isEmpty()) {
      Map<String, Object> options = new LinkedHashMap<>(entry.options());
      Map<String, Object> headers = new LinkedHashMap<>();
      if (options.get("headers") instanceof Map<?, ?> inherited) {
        inherited.forEach((k, v) -> headers.put(String.valueOf(k), v));
      }
      headers.putAll(deployment.headers());
      options.put("headers", headers);
      own.options(options);
    }
    return own.build();
  }

  /** The host of {@code baseUrl}, or "" when there is none. */
  static String host(String baseUrl) {
    if (baseUrl == null) {
      return "";
    }
    try {
      String host = URI.create(baseUrl).getHost();
      return host == null ? "" : host;
    } catch (IllegalArgumentException e) {
      return "";
    }
  }
}
