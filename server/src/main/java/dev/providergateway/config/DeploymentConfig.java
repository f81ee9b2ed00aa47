package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One upstream deployment behind a provider entry: another base URL, API key, region or replica
 * serving the same models. Unset values are taken from the provider entry, so several keys for one
 * provider are just deployments with only {@code id} and {@code api_key}.
 *
 * @param id the deployment's name within its provider, matching {@code
 *     ^[a-z0-9][a-z0-9_.-]{0,62}$}; shown in metrics, logs, the attempt log and {@code
 *     ListProviders}
 * @param baseUrl an absolute http or https URL, or null for the provider entry's
 * @param apiKey the credential, or null for the provider entry's
 * @param headers extra request headers, added to (and overriding) the entry's {@code
 *     options.headers}; values may be credentials and are redacted like keys
 * @param model the model id sent upstream instead of the request's (an Azure deployment name, a
 *     self-hosted replica's model path), or null to send the request's
 * @param weight the share of traffic under weighted balancing, 1..1000
 */
public record DeploymentConfig(
    String id,
    String baseUrl,
    Secret apiKey,
    Map<String, String> headers,
    String model,
    int weight) {
  static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

  public DeploymentConfig {
    if (id == null || !ID.matcher(id).matches()) {
      throw ConfigException.at(
          "id",
          (id == null ? "required key is missing" : Values.quote(id) + " is not valid")
              + ", expected a deployment id matching ^[a-z0-9][a-z0-9_.-]{0,62}$");
    }
    baseUrl = baseUrl == null || baseUrl.isBlank() ? null : baseUrl;
    if (baseUrl != null) {
      ProviderConfig.checkUrl(baseUrl);
    }
    headers = Map.copyOf(new LinkedHashMap<>(requireNonNull(headers, "headers")));
    model = model == null || model.isBlank() ? null : model;
    Checks.range("weight", weight, 1, 1000);
  }

  /** Hides the credential and the header values, which may be credentials too. */
  @Override
  public String toString() {
    return "DeploymentConfig[id="
        + id
        + ", baseUrl="
        + baseUrl
        + ", apiKey="
        + (apiKey == null ? "inherited" : "***")
        + ", headers="
        + headers.keySet()
        + ", model="
        + model
        + ", weight="
        + weight
        + "]";
  }

  /** A deployment that changes nothing but its id: the provider entry itself. */
  public static DeploymentConfig implicit() {
    return new DeploymentConfig("default", null, null, Map.of(), null, 1);
  }
}
