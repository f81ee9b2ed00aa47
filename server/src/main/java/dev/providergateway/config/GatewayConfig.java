package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole gateway configuration, as loaded from one YAML file by {@link ConfigLoader} or built
 * in code. Instances are immutable and always valid: the constructor checks every field and the
 * rules that span sections.
 *
 * @param server the gRPC server settings
 * @param limits the per-request size limits
 * @param resilience retries, deadlines, watchdogs, cooldowns and concurrency limits
 * @param defaultProvider the provider or route used when a request names none; {@code ""} lets
 *     the registry decide
 * @param providers the configured provider instances, in file order
 * @param routes the route aliases by name, in file order
 * @param plugins where plugin jars are found
 * @param auth caller API keys, their allowlists and rate limits
 * @param metrics the Prometheus endpoint
 * @param tracing OpenTelemetry span export
 * @param logging log format, level and the access log
 */
public record GatewayConfig(
    ServerConfig server,
    LimitsConfig limits,
    ResilienceConfig resilience,
    String defaultProvider,
    List<ProviderConfig> providers,
    Map<String, RouteConfig> routes,
    PluginsConfig plugins,
    AuthConfig auth,
    MetricsConfig metrics,
    TracingConfig tracing,
    LoggingConfig logging) {

  public GatewayConfig {
    requireNonNull(server, "server");
    requireNonNull(limits, "limits");
    requireNonNull(resilience, "resilience");
    defaultProvider = defaultProvider == null ? "" : defaultProvider.strip();
    if (!defaultProvider.isEmpty()) {
      // Route names are the wider pattern, and the default may name a route.
      Checks.routeName("default_provider", defaultProvider);
    }
    providers = List.copyOf(providers);
    routes = copyRoutes(routes);
    requireNonNull(plugins, "plugins");
    if (limits.maxRequestBytes() > server.maxInboundMessageBytes()) {
      throw ConfigException.at(
          "limits.max_request_bytes",
          limits.maxRequestBytes()
              + " is out of range, expected "
              + Checks.KIB
              + ".."
              + server.maxInboundMessageBytes()
              + " (at most server.max_inbound_message_bytes)");
    }
    checkUniqueNames(providers);
    requireNonNull(auth, "auth");
    requireNonNull(metrics, "metrics");
    requireNonNull(tracing, "tracing");
    requireNonNull(logging, "logging");
    if (auth.mode() == AuthConfig.Mode.AUTO && auth.keys().isEmpty() && !server.loopback()) {
      // An open gateway on a reachable address must be a decision, not a default.
      throw ConfigException.at("auth", "no keys configured while server.host " + Values.quote(server.host())
          + " is not a loopback address, expected auth.keys (callers send authorization: Bearer <key>)"
          + " or auth.enabled: false to serve without authentication on purpose");
    }
  }

  /** A config with the default auth, metrics, tracing and logging sections. */
  public GatewayConfig(
      ServerConfig server,
      LimitsConfig limits,
      ResilienceConfig resilience,
      String defaultProvider,
      List<ProviderConfig> providers,
      Map<String, RouteConfig> routes,
      PluginsConfig plugins) {
    this(server, limits, resilience, defaultProvider, providers, routes, plugins, AuthConfig.defaults(),
        MetricsConfig.defaults(), TracingConfig.defaults(), LoggingConfig.defaults());
  }

  /** The zero-config setup: every default, no providers, no routes. */
  public static GatewayConfig defaults() {
    return new GatewayConfig(
        ServerConfig.defaults(),
        LimitsConfig.defaults(),
        ResilienceConfig.defaults(),
        "",
        List.of(),
        Map.of(),
        PluginsConfig.defaults());
  }

  /** A copy listening on {@code port} (0 picks a free port). */
  public GatewayConfig withPort(int port) {
    ServerConfig newServer;
    try {
      newServer = server.withPort(port);
    } catch (ConfigException e) {
      throw e.under("server");
    }
    return new GatewayConfig(newServer, limits, resilience, defaultProvider, providers, routes, plugins, auth,
        metrics, tracing, logging);
  }

  /** A copy with {@code newResilience} instead. */
  public GatewayConfig withResilience(ResilienceConfig newResilience) {
    return new GatewayConfig(server, limits, newResilience, defaultProvider, providers, routes, plugins, auth,
        metrics, tracing, logging);
  }

  /** A copy with {@code newAuth} instead. */
  public GatewayConfig withAuth(AuthConfig newAuth) {
    return new GatewayConfig(server, limits, resilience, defaultProvider, providers, routes, plugins, newAuth,
        metrics, tracing, logging);
  }

  /** A copy with {@code newMetrics}, {@code newTracing} and {@code newLogging} instead. */
  public GatewayConfig withTelemetry(MetricsConfig newMetrics, TracingConfig newTracing, LoggingConfig newLogging) {
    return new GatewayConfig(server, limits, resilience, defaultProvider, providers, routes, plugins, auth,
        newMetrics, newTracing, newLogging);
  }

  /** A copy with {@code newProviders} instead. */
  public GatewayConfig withProviders(List<ProviderConfig> newProviders) {
    return new GatewayConfig(server, limits, resilience, defaultProvider, newProviders, routes, plugins, auth,
        metrics, tracing, logging);
  }

  /** A copy with {@code newRoutes} instead. */
  public GatewayConfig withRoutes(Map<String, RouteConfig> newRoutes) {
    return new GatewayConfig(server, limits, resilience, defaultProvider, providers, newRoutes, plugins, auth, metrics, tracing, logging);
  }

  /** A copy whose default provider is {@code name} ({@code ""} lets the registry decide). */
  public GatewayConfig withDefaultProvider(String name) {
    return new GatewayConfig(server, limits, resilience, name, providers, routes, plugins, auth,
        metrics, tracing, logging);
  }

  private static Map<String, RouteConfig> copyRoutes(Map<String, RouteConfig> routes) {
    Map<String, RouteConfig> copy = new LinkedHashMap<>();
    routes.forEach(
        (name, route) -> {
          Checks.routeName(KeyPaths.child("routes", String.valueOf(name)), name);
          copy.put(name, requireNonNull(route, "route " + name));
        });
    // Not Map.copyOf: file order is worth keeping for listings.
    return Collections.unmodifiableMap(copy);
  }

  private static void checkUniqueNames(List<ProviderConfig> providers) {
    // Clients address a provider by name or alias, so one namespace covers both.
    Map<String, String> firstUse = new HashMap<>();
    for (int i = 0; i < providers.size(); i++) {
      ProviderConfig provider = providers.get(i);
      String at = KeyPaths.element("providers", i);
      claim(firstUse, provider.name(), at + ".name");
      List<String> aliases = provider.aliases();
      for (int j = 0; j < aliases.size(); j++) {
        claim(firstUse, aliases.get(j), at + "." + KeyPaths.element("aliases", j));
      }
    }
  }

  private static void claim(Map<String, String> firstUse, String name, String keyPath) {
    String previous = firstUse.putIfAbsent(name, keyPath);
    if (previous != null) {
      throw ConfigException.at(
          keyPath,
          Values.quote(name)
              + " is already used by "
              + previous
              + ", expected provider names and aliases to be unique");
    }
  }
}
