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
 *
 * <p>Lifecycle: the gateway instantiates each factory once at startup, calls {@link #autoConfigure}
 * once, then {@link #create} once per provider instance, all on the startup thread before it serves
 * calls. The gateway owns every provider it creates and closes it at shutdown; a factory holds no
 * per-instance resources itself. A plugin factory is loaded by the plugin jar's own class loader,
 * whose parent is the gateway's: the SDK and Jackson come from the gateway, so a plugin jar should
 * not bundle them (bundled copies are never loaded: the parent class loader answers first).
 *
 * <p>The capability table ({@code tool-calling.yaml}) has no entry for a plugin's type unless the
 * plugin ships one: a jar may hold a fragment at {@code META-INF/providergateway/tool-calling.yaml}
 * with entries under {@code providers:} for its own types, which the gateway merges at startup.
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
