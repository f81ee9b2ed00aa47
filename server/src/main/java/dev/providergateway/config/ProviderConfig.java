package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One configured provider instance: which implementation to use and how to reach it.
 *
 * @param name the unique name clients use, matching {@code ^[a-z][a-z0-9_-]{0,62}$}
 * @param type the provider implementation, such as {@code openai}; same pattern
 * @param aliases more names for this provider; unique across all names and aliases
 * @param baseUrl an absolute http or https URL, or null for the implementation's default
 * @param apiKey the credential, or null if the provider needs none
 * @param defaultModel the model used when a request names none, or null for the implementation's
 * @param models the models to advertise (others may still work)
 * @param options free-form settings for the implementation, as plain Java values (Map, List,
 *     String, Number, Boolean, null); unmodifiable at every level
 * @param breaker the circuit breaker settings, applied to each deployment's own breaker
 * @param deployments the upstreams serving this entry's models, each with its own breaker and
 *     cooldowns; empty means one implicit deployment ({@code default}) made of the entry itself
 * @param balance how calls are spread over the available deployments
 */
public record ProviderConfig(
    String name,
    String type,
    List<String> aliases,
    String baseUrl,
    Secret apiKey,
    String defaultModel,
    List<String> models,
    Map<String, Object> options,
    BreakerConfig breaker,
    List<DeploymentConfig> deployments,
    BalanceStrategy balance) {

  public ProviderConfig {
    Checks.providerName("name", name);
    Checks.providerName("type", type);
    aliases = List.copyOf(aliases);
    for (int i = 0; i < aliases.size(); i++) {
      Checks.providerName(KeyPaths.element("aliases", i), aliases.get(i));
    }
    baseUrl = blankToNull(baseUrl);
    if (baseUrl != null) {
      checkUrl(baseUrl);
    }
    defaultModel = blankToNull(defaultModel);
    models = List.copyOf(models);
    for (int i = 0; i < models.size(); i++) {
      Checks.notBlank(KeyPaths.element("models", i), models.get(i), "a model name");
    }
    options = immutableMap(requireNonNull(options, "options"));
    requireNonNull(breaker, "breaker");
    deployments = List.copyOf(deployments);
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < deployments.size(); i++) {
      if (!ids.add(deployments.get(i).id())) {
        throw ConfigException.at(
            KeyPaths.element("deployments", i) + ".id",
            Values.quote(deployments.get(i).id()) + " is used twice, expected unique ids");
      }
    }
    requireNonNull(balance, "balance");
  }

  /** As above, with no deployments (the entry itself) and weighted random balancing. */
  public ProviderConfig(
      String name,
      String type,
      List<String> aliases,
      String baseUrl,
      Secret apiKey,
      String defaultModel,
      List<String> models,
      Map<String, Object> options,
      BreakerConfig breaker) {
    this(
        name,
        type,
        aliases,
        baseUrl,
        apiKey,
        defaultModel,
        models,
        options,
        breaker,
        List.of(),
        BalanceStrategy.WEIGHTED_RANDOM);
  }

  /** A provider of implementation {@code type} with no aliases, options or overrides. */
  public static ProviderConfig of(String name, String type) {
    return new ProviderConfig(
        name, type, List.of(), null, null, null, List.of(), Map.of(), BreakerConfig.defaults());
  }

  private static String blankToNull(String value) {
    // ${VAR:-} in the file yields "", which means "not set" for optional keys.
    return value == null || value.isBlank() ? null : value;
  }

  static void checkUrl(String url) {
    String expected = "expected an absolute http or https URL such as https://api.example.com/v1";
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw ConfigException.at(
          "base_url", Values.quote(url) + " is not a URL (" + e.getReason() + "), " + expected);
    }
    String scheme = uri.getScheme();
    boolean http = "http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme);
    if (!http || uri.getHost() == null) {
      throw ConfigException.at("base_url", Values.quote(url) + " is not valid, " + expected);
    }
  }

  private static Map<String, Object> immutableMap(Map<?, ?> map) {
    Map<String, Object> copy = new LinkedHashMap<>();
    map.forEach((key, value) -> copy.put(String.valueOf(key), immutableValue(value)));
    // Not Map.copyOf: YAML options may hold nulls and their order is worth keeping.
    return Collections.unmodifiableMap(copy);
  }

  private static Object immutableValue(Object value) {
    if (value instanceof Map<?, ?> map) {
      return immutableMap(map);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(element -> copy.add(immutableValue(element)));
      return Collections.unmodifiableList(copy);
    }
    return value;
  }
}
