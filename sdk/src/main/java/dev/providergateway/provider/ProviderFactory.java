package dev.providergateway.provider;

import java.util.List;
import java.util.Map;

/**
 * Creates providers of one {@link #type()}. Built-in providers and drop-in plugins are found the
 * same way, through {@link java.util.ServiceLoader}: a jar lists its factories in {@code
 * META-INF/services/dev.providergateway.provider.ProviderFactory}, and the gateway loads it from
 * the classpath or its plugins directory.
 *
 * <p>Implementations need a public no-argument constructor and must be thread-safe.
 */
public interface ProviderFactory {

  /** The type name that config entries use to select this factory, e.g. {@code "openai"}. */
  String type();

  /**
   * Creates a provider. Throws {@link IllegalArgumentException} naming the option, its value and
   * what was expected when the settings are invalid; the gateway then refuses to start.
   */
  Provider create(ProviderSettings settings);

  /**
   * The instances to register with no config entry, for example one named {@code openai} when
   * {@code OPENAI_API_KEY} is set. A configured provider of the same name takes precedence.
   */
  default List<ProviderSettings> autoConfigure(Map<String, String> env) {
    return List.of();
  }
}
