package dev.providergateway.config;

import java.util.LinkedHashMap;
import java.util.Map;

/** Binds one entry of a provider's {@code deployments} list. */
final class DeploymentBinder {
  private DeploymentBinder() {}

  static DeploymentConfig deployment(Node node) {
    if (node.isAbsent()) {
      throw ConfigException.at(node.path(), "empty entry, expected a deployment mapping");
    }
    node.checkKeys(ConfigBinder.DEPLOYMENT_KEYS);
    String id = node.get("id").stringValue(null);
    String baseUrl = node.get("base_url").stringValue(null);
    Secret apiKey = node.get("api_key").secretValue();
    Map<String, String> headers = new LinkedHashMap<>();
    node.get("headers")
        .entries()
        .forEach(
            (name, value) -> {
              Secret v = value.secretValue();
              headers.put(name, v == null ? "" : v.reveal());
            });
    String model = node.get("model").stringValue(null);
    int weight = node.get("weight").intValue(1);
    return node.build(() -> new DeploymentConfig(id, baseUrl, apiKey, headers, model, weight));
  }
}
