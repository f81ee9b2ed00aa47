package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole gateway configuration, as loaded from one YAML file by {@link ConfigLoader} or built in
 * code with {@link #builder()}. Instances are immutable and always valid: the constructor checks
 * every field and the rules that span sections.
 *
 * @param server the gRPC server settings
 * @param limits the per-request size limits
 * @param resilience retries, deadlines, watchdogs, cooldowns and concurrency limits
 * @param defaultProvider the provider or route used when a request names none; {@code ""} lets the
 *     registry decide
 * @param providers the configured provider instances, in file order
 * @param routes the route aliases by name, in file order
 * @param plugins where plugin jars are found
 * @param auth caller API keys, their allowlists and rate limits
 * @param metrics the Prometheus endpoint
 * @param tracing OpenTelemetry span export
 * @param logging log format, level and the access log
 * @param state where limits, cooldowns and budget counters shared by replicas are kept
 * @param http the OpenAI-compatible HTTP door
 * @param pricing model prices, for costs, budgets and usage reports
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
    LoggingConfig logging,
    StateConfig state,
    HttpConfig http,
    PricingConfig pricing) {

  public GatewayConfig {
    pricing = pricing == null ? PricingConfig.defaults() : pricing;
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
    requireNonNull(state, "state");
    requireNonNull(http, "http");
    if (auth.mode() == AuthConfig.Mode.AUTO && auth.keys().isEmpty() && !server.loopback()) {
      // An open gateway on a reachable address must be a decision, not a default.
      throw ConfigException.at(
          "auth",
          "no keys configured while server.host "
              + Values.quote(server.host())
              + " is not a loopback address, expected auth.keys (callers send authorization: Bearer <key>)"
              + " or auth.enabled: false to serve without authentication on purpose");
    }
  }

  /** The zero-config setup: every default, no providers, no routes. */
  public static GatewayConfig defaults() {
    return builder().build();
  }

  /** A builder whose every section starts at its default (no providers, no routes). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this config's sections. */
  public Builder toBuilder() {
    return new Builder()
        .server(server)
        .limits(limits)
        .resilience(resilience)
        .defaultProvider(defaultProvider)
        .providers(providers)
        .routes(routes)
        .plugins(plugins)
        .auth(auth)
        .metrics(metrics)
        .tracing(tracing)
        .logging(logging)
        .state(state)
        .http(http)
        .pricing(pricing);
  }

  /** A copy listening on {@code port} (0 picks a free port). */
  public GatewayConfig withPort(int port) {
    ServerConfig newServer;
    try {
      newServer = server.withPort(port);
    } catch (ConfigException e) {
      throw e.under("server");
    }
    return toBuilder().server(newServer).build();
  }

  /** A copy with {@code newResilience} instead. */
  public GatewayConfig withResilience(ResilienceConfig newResilience) {
    return toBuilder().resilience(newResilience).build();
  }

  /** A copy with {@code newAuth} instead. */
  public GatewayConfig withAuth(AuthConfig newAuth) {
    return toBuilder().auth(newAuth).build();
  }

  /** A copy with {@code newMetrics}, {@code newTracing} and {@code newLogging} instead. */
  public GatewayConfig withTelemetry(
      MetricsConfig newMetrics, TracingConfig newTracing, LoggingConfig newLogging) {
    return toBuilder().metrics(newMetrics).tracing(newTracing).logging(newLogging).build();
  }

  /** A copy with {@code newProviders} instead. */
  public GatewayConfig withProviders(List<ProviderConfig> newProviders) {
    return toBuilder().providers(newProviders).build();
  }

  /** A copy with {@code newRoutes} instead. */
  public GatewayConfig withRoutes(Map<String, RouteConfig> newRoutes) {
    return toBuilder().routes(newRoutes).build();
  }

  /** A copy with {@code newState} instead. */
  public GatewayConfig withState(StateConfig newState) {
    return toBuilder().state(newState).build();
  }

  /** A copy whose default provider is {@code name} ({@code ""} lets the registry decide). */
  public GatewayConfig withDefaultProvider(String name) {
    return toBuilder().defaultProvider(name).build();
  }

  /**
   * Collects the sections of a config by name; {@link #build()} validates them all at once, as the
   * constructor does. Not thread-safe; one builder builds any number of configs.
   */
  public static final class Builder {
    private ServerConfig server = ServerConfig.defaults();
    private LimitsConfig limits = LimitsConfig.defaults();
    private ResilienceConfig resilience = ResilienceConfig.defaults();
    private String defaultProvider = "";
    private List<ProviderConfig> providers = List.of();
    private Map<String, RouteConfig> routes = Map.of();
    private PluginsConfig plugins = PluginsConfig.defaults();
    private AuthConfig auth = AuthConfig.defaults();
    private MetricsConfig metrics = MetricsConfig.defaults();
    private TracingConfig tracing = TracingConfig.defaults();
    private LoggingConfig logging = LoggingConfig.defaults();
    private StateConfig state = StateConfig.defaults();
    private HttpConfig http = HttpConfig.defaults();
    private PricingConfig pricing = PricingConfig.defaults();

    private Builder() {}

    /** The gRPC server settings. */
    public Builder server(ServerConfig server) {
      this.server = server;
      return this;
    }

    /** The per-request size limits. */
    public Builder limits(LimitsConfig limits) {
      this.limits = limits;
      return this;
    }

    /** Retries, deadlines, watchdogs, cooldowns and concurrency limits. */
    public Builder resilience(ResilienceConfig resilience) {
      this.resilience = resilience;
      return this;
    }

    /**
     * The provider or route used when a request names none ({@code ""} lets the registry decide).
     */
    public Builder defaultProvider(String defaultProvider) {
      this.defaultProvider = defaultProvider;
      return this;
    }

    /** The provider instances, in file order. */
    public Builder providers(List<ProviderConfig> providers) {
      this.providers = providers;
      return this;
    }

    /** The route aliases by name, in file order. */
    public Builder routes(Map<String, RouteConfig> routes) {
      this.routes = routes;
      return this;
    }

    /** Where plugin jars are found. */
    public Builder plugins(PluginsConfig plugins) {
      this.plugins = plugins;
      return this;
    }

    /** Caller API keys, their allowlists and rate limits. */
    public Builder auth(AuthConfig auth) {
      this.auth = auth;
      return this;
    }

    /** The Prometheus endpoint. */
    public Builder metrics(MetricsConfig metrics) {
      this.metrics = metrics;
      return this;
    }

    /** OpenTelemetry span export. */
    public Builder tracing(TracingConfig tracing) {
      this.tracing = tracing;
      return this;
    }

    /** Log format, level and the access log. */
    public Builder logging(LoggingConfig logging) {
      this.logging = logging;
      return this;
    }

    /** Where the state shared by replicas is kept. */
    public Builder state(StateConfig state) {
      this.state = state;
      return this;
    }

    /** The OpenAI-compatible HTTP door. */
    public Builder http(HttpConfig http) {
      this.http = http;
      return this;
    }

    /**
     * The config.
     *
     * @throws ConfigException naming the key of the first invalid value
     */
    public GatewayConfig build() {
      return new GatewayConfig(
          server,
          limits,
          resilience,
          defaultProvider,
          providers,
          routes,
          plugins,
          auth,
          metrics,
          tracing,
          logging,
          state,
          http,
          pricing);
    }

    /** The {@code pricing} section. */
    public Builder pricing(PricingConfig pricing) {
      this.pricing = pricing;
      return this;
    }
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
