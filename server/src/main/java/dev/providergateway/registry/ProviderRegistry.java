package dev.providergateway.registry;

import static java.util.Objects.requireNonNull;

import dev.providergateway.config.BalanceStrategy;
import dev.providergateway.config.BreakerConfig;
import dev.providergateway.config.DeploymentConfig;
import dev.providergateway.config.GatewayConfig;
import dev.providergateway.config.ProviderConfig;
import dev.providergateway.config.RouteConfig;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderNotFoundException;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.Secrets;
import dev.providergateway.provider.http.UpstreamTransport;
import dev.providergateway.resilience.ProviderBreaker;
import dev.providergateway.toolcalling.CapabilityTable;
import dev.providergateway.toolcalling.ToolCallingCapabilities;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every provider instance of a running gateway, by name and alias, with its circuit breaker, plus
 * the route aliases. Built once at startup and immutable afterwards; thread-safe.
 *
 * <p>Instances come from the config's {@code providers} entries and from each factory's {@link
 * ProviderFactory#autoConfigure} (for example {@code echo} always, and providers whose API-key
 * environment variables are set); a configured entry wins over an auto-configured one of the same
 * name. The registry owns the providers and closes them in {@link #close()}.
 */
public final class ProviderRegistry implements AutoCloseable {
  private final Map<String, RegisteredProvider> byName;
  private final Map<String, RegisteredProvider> byNameOrAlias;
  private final Map<String, List<RouteConfig.RouteTarget>> routes;
  private final Map<String, RouteConfig.Balance> routeBalance;
  private final String defaultProvider;
  private final CapabilityTable toolCalling;

  private ProviderRegistry(
      Map<String, RegisteredProvider> byName,
      Map<String, RegisteredProvider> byNameOrAlias,
      Map<String, List<RouteConfig.RouteTarget>> routes,
      Map<String, RouteConfig.Balance> routeBalance,
      String defaultProvider,
      CapabilityTable toolCalling) {
    this.byName = byName;
    this.byNameOrAlias = byNameOrAlias;
    this.routes = routes;
    this.routeBalance = routeBalance;
    this.defaultProvider = defaultProvider;
    this.toolCalling = toolCalling;
  }

  /**
   * Builds the registry with the factories found on the classpath and in the config's plugins
   * directory, and the capability table with the fragments those jars ship. Throws {@link
   * IllegalStateException} naming the config entry when a provider cannot be created, a name
   * collides or a route names an unknown provider.
   */
  public static ProviderRegistry create(
      GatewayConfig config, Map<String, String> env, Clock clock, UpstreamTransport transport) {
    ClassLoader loader =
        PluginLoader.loader(config.plugins().directory(), ProviderRegistry.class.getClassLoader());
    return create(
        config,
        env,
        new Runtime(clock, transport),
        PluginLoader.factories(loader),
        capabilityTable(loader));
  }

  /**
   * Builds the registry from the given factories, by type, with the classpath's capability table.
   */
  public static ProviderRegistry create(
      GatewayConfig config,
      Map<String, String> env,
      Clock clock,
      UpstreamTransport transport,
      Map<String, ProviderFactory> factories) {
    return create(
        config,
        env,
        new Runtime(clock, transport),
        factories,
        capabilityTable(ProviderRegistry.class.getClassLoader()));
  }

  /** What every provider is built on: the gateway's clock and its event loops for upstream HTTP. */
  private record Runtime(Clock clock, UpstreamTransport transport) {
    Runtime {
      requireNonNull(clock, "clock");
      requireNonNull(transport, "transport");
    }

    ProviderSettings apply(ProviderSettings settings) {
      return settings.toBuilder().clock(clock).transport(transport).build();
    }
  }

  private static CapabilityTable capabilityTable(ClassLoader loader) {
    try {
      return CapabilityTable.load(loader);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static ProviderRegistry create(
      GatewayConfig config,
      Map<String, String> env,
      Runtime runtime,
      Map<String, ProviderFactory> factories,
      CapabilityTable toolCalling) {
    requireNonNull(config, "config");
    requireNonNull(env, "env");
    Builder builder = new Builder(env, runtime, factories);
    try {
      List<ProviderConfig> configured = config.providers();
      for (int i = 0; i < configured.size(); i++) {
        builder.addConfigured("providers[" + i + "]", configured.get(i));
      }
      for (ProviderFactory factory : factories.values()) {
        for (ProviderSettings settings : factory.autoConfigure(env)) {
          builder.addAuto(factory, settings);
        }
      }
      Map<String, List<RouteConfig.RouteTarget>> routes = builder.routes(config.routes());
      String defaultProvider = builder.defaultProvider(config.defaultProvider());
      ProviderRegistry registry =
          new ProviderRegistry(
              builder.byName,
              builder.byNameOrAlias,
              routes,
              routeBalance(config.routes()),
              defaultProvider,
              toolCalling);
      builder.secrets.addAll(secretsIn(env));
      Secrets.register(registry, builder.secrets);
      return registry;
    } catch (RuntimeException e) {
      builder.closeAll();
      throw e;
    }
  }

  /** The provider with this name or alias, or {@link ProviderNotFoundException} listing all. */
  public RegisteredProvider get(String nameOrAlias) {
    RegisteredProvider found = byNameOrAlias.get(nameOrAlias);
    if (found == null) {
      throw new ProviderNotFoundException(nameOrAlias, List.copyOf(byName.keySet()));
    }
    return found;
  }

  /** The provider with this name or alias, if any. */
  public Optional<RegisteredProvider> find(String nameOrAlias) {
    return Optional.ofNullable(byNameOrAlias.get(nameOrAlias));
  }

  /** Every provider, sorted by name. */
  public List<RegisteredProvider> all() {
    return List.copyOf(byName.values());
  }

  /** The route aliases and their targets (provider names resolved from aliases), by name. */
  public Map<String, List<RouteConfig.RouteTarget>> routes() {
    return routes;
  }

  /**
   * How route {@code name} picks a call's first target; {@link RouteConfig.Balance#ORDERED} for a
   * name that is no route.
   */
  public RouteConfig.Balance routeBalance(String name) {
    return routeBalance.getOrDefault(name, RouteConfig.Balance.ORDERED);
  }

  private static Map<String, RouteConfig.Balance> routeBalance(
      Map<String, RouteConfig> configured) {
    Map<String, RouteConfig.Balance> balance = new java.util.HashMap<>();
    configured.forEach((name, route) -> balance.put(name, route.balance()));
    return Map.copyOf(balance);
  }

  /**
   * How {@code model} at {@code provider} calls tools: from the capability table (built in or a
   * plugin's fragment) when it has an entry for the provider's name or wire type, else from what
   * the provider's descriptor says about the model.
   */
  public ToolCallingCapabilities toolCalling(RegisteredProvider provider, String model) {
    ProviderDescriptor descriptor = provider.provider().descriptor();
    if (!toolCalling.covers(provider.name(), descriptor.wireType())) {
      return toolCalling.fromDescriptor(descriptor.capabilitiesOf(model));
    }
    return toolCalling.lookup(provider.name(), descriptor.wireType(), model);
  }

  /** The provider used when a request names neither a provider nor a route. */
  public String defaultProvider() {
    return defaultProvider;
  }

  /**
   * The environment's values that are credentials by name ({@code *_API_KEY}, {@code *_KEY}, {@code
   * *_TOKEN}, {@code *_SECRET}, {@code *_PASSWORD}): factories fall back to them (say, {@code
   * GOOGLE_API_KEY}) when an entry sets no {@code api_key}.
   */
  private static List<String> secretsIn(Map<String, String> env) {
    List<String> secrets = new ArrayList<>();
    env.forEach(
        (name, value) -> {
          String n = name.toUpperCase(java.util.Locale.ROOT);
          if (n.endsWith("_KEY")
              || n.endsWith("_TOKEN")
              || n.endsWith("_SECRET")
              || n.endsWith("_PASSWORD")) {
            secrets.add(value);
          }
        });
    return secrets;
  }

  /**
   * Closes every provider and forgets this registry's secrets; the first failure is rethrown after
   * all were tried.
   */
  @Override
  public void close() {
    Secrets.unregister(this);
    RuntimeException first = null;
    for (RegisteredProvider p : byName.values()) {
      for (Deployment d : p.deployments()) {
        try {
          d.upstream().close();
        } catch (RuntimeException e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Accumulates instances and checks names while the registry is built. */
  private static final class Builder {
    private final Map<String, String> env;
    private final Runtime runtime;
    private final Map<String, ProviderFactory> factories;
    private final Map<String, RegisteredProvider> byName = new TreeMap<>();
    private final Map<String, RegisteredProvider> byNameOrAlias = new LinkedHashMap<>();
    // What the providers send upstream that may be a credential: API keys and header values.
    private final List<String> secrets = new ArrayList<>();

    Builder(Map<String, String> env, Runtime runtime, Map<String, ProviderFactory> factories) {
      this.env = env;
      this.runtime = runtime;
      this.factories = factories;
    }

    void addConfigured(String key, ProviderConfig config) {
      ProviderFactory factory = factories.get(config.type());
      if (factory == null) {
        throw new IllegalStateException(
            key
                + ".type: unknown provider type '"
                + config.type()
                + "'; available types: "
                + String.join(", ", new TreeMap<>(factories).keySet()));
      }
      ProviderSettings settings =
          ProviderSettings.builder(config.name(), config.type())
              .baseUrl(config.baseUrl())
              .apiKey(config.apiKey() == null ? null : config.apiKey().reveal())
              .defaultModel(config.defaultModel())
              .models(config.models())
              .options(config.options())
              .env(env)
              .build();
      if (config.deployments().isEmpty()) {
        add(key, factory, settings, config.aliases(), config.breaker());
        return;
      }
      checkNames(key, settings.name(), config.aliases());
      List<Deployment> deployments = new ArrayList<>();
      try {
        for (int i = 0; i < config.deployments().size(); i++) {
          DeploymentConfig d = config.deployments().get(i);
          ProviderSettings own = DeploymentSettings.apply(settings, d);
          deployments.add(
              deployment(key + ".deployments[" + i + "]", factory, own, d, config.breaker()));
        }
      } catch (RuntimeException e) {
        deployments.forEach(d -> d.upstream().close());
        throw e;
      }
      Deployment first = deployments.get(0);
      register(
          new RegisteredProvider(
              first.upstream(), config.aliases(), first.breaker(), deployments, config.balance()));
    }

    void addAuto(ProviderFactory factory, ProviderSettings settings) {
      if (!byNameOrAlias.containsKey(settings.name())) {
        add("auto-configured provider", factory, settings, List.of(), BreakerConfig.defaults());
      }
    }

    private void add(
        String key,
        ProviderFactory factory,
        ProviderSettings settings,
        List<String> aliases,
        BreakerConfig breaker) {
      checkNames(key, settings.name(), aliases);
      Provider provider = create(key, factory, settings);
      ProviderBreaker own = new ProviderBreaker(settings.name(), breaker, runtime.clock());
      // The entry itself is its one deployment, shown with its key's hash and host like any other.
      Deployment implicit =
          new Deployment(
              settings.name(),
              "default",
              provider,
              own,
              settings.apiKey(),
              null,
              1,
              DeploymentSettings.host(settings.baseUrl()));
      register(
          new RegisteredProvider(
              provider, aliases, own, List.of(implicit), BalanceStrategy.WEIGHTED_RANDOM));
    }

    private Deployment deployment(
        String key,
        ProviderFactory factory,
        ProviderSettings settings,
        DeploymentConfig config,
        BreakerConfig breaker) {
      Provider provider = create(key, factory, settings);
      String name = settings.name() + "/" + config.id();
      return new Deployment(
          settings.name(),
          config.id(),
          provider,
          new ProviderBreaker(name, breaker, runtime.clock()),
          settings.apiKey(),
          config.model(),
          config.weight(),
          DeploymentSettings.host(settings.baseUrl()));
    }

    private void checkNames(String key, String providerName, List<String> aliases) {
      for (String name : concat(providerName, aliases)) {
        if (byNameOrAlias.containsKey(name)) {
          throw new IllegalStateException(
              key
                  + ": name or alias '"
                  + name
                  + "' is already used by provider '"
                  + byNameOrAlias.get(name).name()
                  + "'");
        }
      }
    }

    private Provider create(String key, ProviderFactory factory, ProviderSettings settings) {
      secrets.add(settings.apiKey());
      if (settings.options().get("headers") instanceof Map<?, ?> headers) {
        headers.values().forEach(v -> secrets.add(v == null ? null : v.toString()));
      }
      try {
        return factory.create(runtime.apply(settings));
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(key + " ('" + settings.name() + "'): " + e.getMessage(), e);
      }
    }

    private void register(RegisteredProvider registered) {
      byName.put(registered.name(), registered);
      for (String name : concat(registered.name(), registered.aliases())) {
        byNameOrAlias.put(name, registered);
      }
    }

    /**
     * Resolves every route to (provider, model) targets. A target whose {@code provider} names
     * another route (and no provider) stands for that route's targets, in place; a route that
     * reaches itself is a cycle and fails startup, naming the path.
     */
    Map<String, List<RouteConfig.RouteTarget>> routes(Map<String, RouteConfig> configured) {
      Map<String, List<RouteConfig.RouteTarget>> routes = new TreeMap<>();
      for (String name : configured.keySet()) {
        routes.put(name, List.copyOf(expand(name, configured, new ArrayList<>())));
      }
      return Map.copyOf(routes);
    }

    private List<RouteConfig.RouteTarget> expand(
        String name, Map<String, RouteConfig> configured, List<String> path) {
      if (path.contains(name)) {
        path.add(name);
        throw new IllegalStateException(
            "routes." + path.get(0) + ": route cycle " + String.join(" -> ", path));
      }
      path.add(name);
      RouteConfig route = configured.get(name);
      List<RouteConfig.RouteTarget> targets = new ArrayList<>();
      for (int i = 0; i < route.targets().size(); i++) {
        RouteConfig.RouteTarget target = route.targets().get(i);
        RegisteredProvider p = byNameOrAlias.get(target.provider());
        if (p != null) {
          targets.add(new RouteConfig.RouteTarget(p.name(), target.model(), target.weight()));
        } else if (configured.containsKey(target.provider())) {
          targets.addAll(expand(target.provider(), configured, path));
        } else {
          throw new IllegalStateException(
              "routes."
                  + name
                  + ".targets["
                  + i
                  + "].provider: unknown provider or route '"
                  + target.provider()
                  + "'; registered providers: "
                  + String.join(", ", byName.keySet())
                  + "; routes: "
                  + String.join(", ", configured.keySet()));
        }
      }
      if (targets.isEmpty()) {
        throw new IllegalStateException(
            "routes." + name + ".targets: must list at least one target");
      }
      path.remove(path.size() - 1);
      return targets;
    }

    String defaultProvider(String configured) {
      if (configured != null && !configured.isEmpty()) {
        RegisteredProvider p = byNameOrAlias.get(configured);
        if (p == null) {
          throw new IllegalStateException(
              "default_provider: unknown provider '"
                  + configured
                  + "'; registered providers: "
                  + String.join(", ", byName.keySet()));
        }
        return p.name();
      }
      List<RegisteredProvider> real =
          byName.values().stream().filter(p -> !p.provider().descriptor().demo()).toList();
      if (real.size() == 1) {
        return real.get(0).name();
      }
      if (byName.containsKey("echo")) {
        return "echo";
      }
      return byName.values().stream()
          .map(RegisteredProvider::name)
          .min(Comparator.naturalOrder())
          .orElse("");
    }

    void closeAll() {
      byName.values().forEach(p -> p.deployments().forEach(d -> d.upstream().close()));
    }

    private static List<String> concat(String name, List<String> aliases) {
      List<String> all = new ArrayList<>(aliases.size() + 1);
      all.add(name);
      all.addAll(aliases);
      return all;
    }
  }
}
