package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * The configuration of one provider instance, as a {@link ProviderFactory} receives it. Immutable
 * and thread-safe; values are already validated as YAML types and {@code ${VAR}} references are
 * resolved, but provider-specific checks (option names, URL shape) are the factory's job.
 *
 * @param name the registry name
 * @param type the factory type that creates it
 * @param baseUrl the upstream base URL, or null for the provider's default
 * @param apiKey the upstream credential, or null when none is configured; never log it
 * @param defaultModel the model for requests that name none, or null for the provider's default
 * @param models models to list besides the provider's own
 * @param options free-form provider options (plain Java values from YAML)
 * @param env the process environment, for providers that read extra variables
 */
public record ProviderSettings(
    String name,
    String type,
    String baseUrl,
    String apiKey,
    String defaultModel,
    List<String> models,
    Map<String, Object> options,
    Map<String, String> env) {

  public ProviderSettings {
    requireNonNull(name, "name");
    requireNonNull(type, "type");
    models = List.copyOf(models);
    options = Map.copyOf(options);
    env = Map.copyOf(env);
  }

  /** Settings with just a name and type, everything else defaulted. */
  public static ProviderSettings of(String name, String type, Map<String, String> env) {
    return new ProviderSettings(name, type, null, null, null, List.of(), Map.of(), env);
  }

  /** Hides the credential and the environment, which may hold other credentials. */
  @Override
  public String toString() {
    return "ProviderSettings[name=" + name + ", type=" + type + ", baseUrl=" + baseUrl
        + ", apiKey=" + (apiKey == null ? "none" : "***") + ", defaultModel=" + defaultModel
        + ", models=" + models + ", options=" + options.keySet() + "]";
  }
}
