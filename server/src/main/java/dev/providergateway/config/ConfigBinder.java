package dev.providergateway.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the (already substituted) YAML tree into a {@link GatewayConfig}. Shape and type errors are
 * reported here; value rules live in the records, whose failures {@link Node#build} places at the
 * right key path.
 */
final class ConfigBinder {

  static final List<String> TOP_KEYS =
      List.of(
          "server",
          "limits",
          "resilience",
          "default_provider",
          "providers",
          "routes",
          "plugins",
          "auth",
          "metrics",
          "tracing",
          "logging",
          "state",
          "http",
          "pricing");
  static final List<String> STATE_KEYS =
      List.of("redis_url", "key_prefix", "replicas", "fail_closed", "timeout");
  static final List<String> SERVER_KEYS =
      List.of(
          "host",
          "port",
          "executor_threads",
          "io_threads",
          "keepalive_time",
          "keepalive_timeout",
          "permit_keepalive_time",
          "max_inbound_message_bytes",
          "max_concurrent_calls_per_connection",
          "shutdown_grace",
          "tls",
          "handshake_timeout",
          "max_connections",
          "max_connections_per_ip",
          "max_resets_per_window",
          "reset_window",
          "max_connection_age",
          "max_connection_age_grace");
  static final List<String> LIMITS_KEYS =
      List.of("max_request_bytes", "max_messages", "max_tools", "max_turns_per_stream");
  static final List<String> RESILIENCE_KEYS =
      List.of(
          "max_retries",
          "retry_base_delay",
          "retry_max_delay",
          "retry_jitter_percent",
          "retry_budget_percent",
          "retry_budget_min_per_second",
          "default_deadline",
          "first_token_timeout",
          "idle_timeout",
          "rate_limit_cooldown",
          "quota_cooldown",
          "max_concurrent_calls",
          "max_concurrent_per_provider",
          "rate_limit_max_wait");
  static final List<String> PROVIDER_KEYS =
      List.of(
          "name",
          "type",
          "aliases",
          "base_url",
          "api_key",
          "default_model",
          "models",
          "options",
          "breaker",
          "deployments",
          "balance");
  static final List<String> DEPLOYMENT_KEYS =
      List.of("id", "base_url", "api_key", "headers", "model", "weight");
  static final List<String> BREAKER_KEYS =
      List.of(
          "failure_threshold", "open_duration", "half_open_calls", "half_open_successes_to_close");
  static final List<String> ROUTE_KEYS = List.of("targets", "balance");
  static final List<String> TARGET_KEYS = List.of("provider", "model", "weight");
  static final List<String> PLUGINS_KEYS = List.of("directory");

  private ConfigBinder() {}

  static GatewayConfig bind(Node root) {
    root.checkKeys(TOP_KEYS);
    GatewayConfig.Builder config =
        GatewayConfig.builder()
            .server(server(root.get("server")))
            .limits(limits(root.get("limits")))
            .resilience(resilience(root.get("resilience")))
            .defaultProvider(root.get("default_provider").stringValue(""));
    List<ProviderConfig> providers = new ArrayList<>();
    for (Node provider : root.get("providers").elements()) {
      providers.add(provider(provider));
    }
    Map<String, RouteConfig> routes = new LinkedHashMap<>();
    root.get("routes").entries().forEach((name, route) -> routes.put(name, route(route)));
    config
        .providers(providers)
        .routes(routes)
        .plugins(plugins(root.get("plugins")))
        .auth(OperationsBinder.auth(root.get("auth")))
        .metrics(OperationsBinder.metrics(root.get("metrics")))
        .tracing(OperationsBinder.tracing(root.get("tracing")))
        .logging(OperationsBinder.logging(root.get("logging")))
        .state(state(root.get("state")))
        .http(OperationsBinder.http(root.get("http")))
        .pricing(UsageBinder.pricing(root.get("pricing")));
    return root.build(config::build);
  }

  private static StateConfig state(Node node) {
    node.checkKeys(STATE_KEYS);
    StateConfig d = StateConfig.defaults();
    Secret url = node.get("redis_url").secretValue();
    String prefix = node.get("key_prefix").stringValue(d.keyPrefix());
    int replicas = node.get("replicas").intValue(d.replicas());
    boolean failClosed = node.get("fail_closed").booleanValue(d.failClosed());
    var timeout = node.get("timeout").durationValue(d.timeout());
    return node.build(
        () -> new StateConfig(url, prefix, replicas, failClosed, timeout, "redis_url"));
  }

  private static ServerConfig server(Node node) {
    node.checkKeys(SERVER_KEYS);
    ServerConfig d = ServerConfig.defaults();
    String host = node.get("host").stringValue(d.host());
    int port = node.get("port").intValue(d.port());
    int executorThreads = node.get("executor_threads").intValue(d.executorThreads());
    int ioThreads = node.get("io_threads").intValue(d.ioThreads());
    var keepaliveTime = node.get("keepalive_time").durationValue(d.keepaliveTime());
    var keepaliveTimeout = node.get("keepalive_timeout").durationValue(d.keepaliveTimeout());
    var permitKeepaliveTime =
        node.get("permit_keepalive_time").durationValue(d.permitKeepaliveTime());
    int maxInbound = node.get("max_inbound_message_bytes").intValue(d.maxInboundMessageBytes());
    int maxCalls =
        node.get("max_concurrent_calls_per_connection")
            .intValue(d.maxConcurrentCallsPerConnection());
    var shutdownGrace = node.get("shutdown_grace").durationValue(d.shutdownGrace());
    TlsConfig tls = OperationsBinder.tls(node.get("tls"));
    ServerConfig.Connections dc = d.connections();
    var handshakeTimeout = node.get("handshake_timeout").durationValue(dc.handshakeTimeout());
    int maxConnections = node.get("max_connections").intValue(dc.maxConnections());
    int maxPerIp = node.get("max_connections_per_ip").intValue(dc.maxConnectionsPerIp());
    int maxResets = node.get("max_resets_per_window").intValue(dc.maxResetsPerWindow());
    var resetWindow = node.get("reset_window").durationValue(dc.resetWindow());
    var maxAge = node.get("max_connection_age").durationValue(dc.maxConnectionAge());
    var maxAgeGrace =
        node.get("max_connection_age_grace").durationValue(dc.maxConnectionAgeGrace());
    return node.build(
        () ->
            new ServerConfig(
                host,
                port,
                executorThreads,
                ioThreads,
                keepaliveTime,
                keepaliveTimeout,
                permitKeepaliveTime,
                maxInbound,
                maxCalls,
                shutdownGrace,
                tls,
                new ServerConfig.Connections(
                    handshakeTimeout,
                    maxConnections,
                    maxPerIp,
                    maxResets,
                    resetWindow,
                    maxAge,
                    maxAgeGrace)));
  }

  private static LimitsConfig limits(Node node) {
    node.checkKeys(LIMITS_KEYS);
    LimitsConfig d = LimitsConfig.defaults();
    int maxRequestBytes = node.get("max_request_bytes").intValue(d.maxRequestBytes());
    int maxMessages = node.get("max_messages").intValue(d.maxMessages());
    int maxTools = node.get("max_tools").intValue(d.maxTools());
    int maxTurns = node.get("max_turns_per_stream").intValue(d.maxTurnsPerStream());
    return node.build(() -> new LimitsConfig(maxRequestBytes, maxMessages, maxTools, maxTurns));
  }

  private static ResilienceConfig resilience(Node node) {
    node.checkKeys(RESILIENCE_KEYS);
    ResilienceConfig d = ResilienceConfig.defaults();
    int maxRetries = node.get("max_retries").intValue(d.maxRetries());
    var base = node.get("retry_base_delay").durationValue(d.retryBaseDelay());
    var max = node.get("retry_max_delay").durationValue(d.retryMaxDelay());
    int jitter = node.get("retry_jitter_percent").intValue(d.retryJitterPercent());
    int budget = node.get("retry_budget_percent").intValue(d.retryBudgetPercent());
    int budgetMin = node.get("retry_budget_min_per_second").intValue(d.retryBudgetMinPerSecond());
    var deadline = node.get("default_deadline").durationValue(d.defaultDeadline());
    var firstToken = node.get("first_token_timeout").durationValue(d.firstTokenTimeout());
    var idle = node.get("idle_timeout").durationValue(d.idleTimeout());
    var cooldown = node.get("rate_limit_cooldown").durationValue(d.rateLimitCooldown());
    var quota = node.get("quota_cooldown").durationValue(d.quotaCooldown());
    int calls = node.get("max_concurrent_calls").intValue(d.maxConcurrentCalls());
    int perProvider =
        node.get("max_concurrent_per_provider").intValue(d.maxConcurrentPerProvider());
    var maxWait = node.get("rate_limit_max_wait").durationValue(d.rateLimitMaxWait());
    return node.build(
        () ->
            ResilienceConfig.builder()
                .retries(maxRetries, base, max, jitter)
                .retryBudget(budget, budgetMin)
                .timeouts(deadline, firstToken, idle)
                .cooldowns(cooldown, quota)
                .concurrency(calls, perProvider)
                .rateLimitMaxWait(maxWait)
                .build());
  }

  private static ProviderConfig provider(Node node) {
    if (node.isAbsent()) {
      throw ConfigException.at(node.path(), "empty entry, expected a provider mapping");
    }
    node.checkKeys(PROVIDER_KEYS);
    String name = node.get("name").stringValue(null);
    String type = node.get("type").stringValue(null);
    List<String> aliases = node.get("aliases").stringList();
    String baseUrl = node.get("base_url").stringValue(null);
    Secret apiKey = node.get("api_key").secretValue();
    String defaultModel = node.get("default_model").stringValue(null);
    List<String> models = node.get("models").stringList();
    Map<String, Object> options = node.get("options").plainMapping();
    BreakerConfig breaker = breaker(node.get("breaker"));
    List<DeploymentConfig> deployments = new ArrayList<>();
    for (Node deployment : node.get("deployments").elements()) {
      deployments.add(DeploymentBinder.deployment(deployment));
    }
    BalanceStrategy balance =
        node.get("balance").enumValue(BalanceStrategy.class, BalanceStrategy.WEIGHTED_RANDOM);
    return node.build(
        () ->
            new ProviderConfig(
                name,
                type,
                aliases,
                baseUrl,
                apiKey,
                defaultModel,
                models,
                options,
                breaker,
                deployments,
                balance));
  }

  private static BreakerConfig breaker(Node node) {
    node.checkKeys(BREAKER_KEYS);
    BreakerConfig d = BreakerConfig.defaults();
    int failureThreshold = node.get("failure_threshold").intValue(d.failureThreshold());
    var openDuration = node.get("open_duration").durationValue(d.openDuration());
    int halfOpenCalls = node.get("half_open_calls").intValue(d.halfOpenCalls());
    int successes = node.get("half_open_successes_to_close").intValue(d.halfOpenSuccessesToClose());
    return node.build(
        () -> new BreakerConfig(failureThreshold, openDuration, halfOpenCalls, successes));
  }

  private static RouteConfig route(Node node) {
    node.checkKeys(ROUTE_KEYS);
    Node targetList = node.get("targets");
    if (targetList.isAbsent()) {
      throw ConfigException.at(
          targetList.path(),
          "required key is missing, expected a list of targets like {provider: name, model: id}");
    }
    List<RouteConfig.RouteTarget> targets = new ArrayList<>();
    for (Node target : targetList.elements()) {
      target.checkKeys(TARGET_KEYS);
      String provider = target.get("provider").stringValue(null);
      String model = target.get("model").stringValue("");
      int weight = target.get("weight").intValue(1);
      targets.add(target.build(() -> new RouteConfig.RouteTarget(provider, model, weight)));
    }
    RouteConfig.Balance balance =
        node.get("balance").enumValue(RouteConfig.Balance.class, RouteConfig.Balance.ORDERED);
    return node.build(() -> new RouteConfig(targets, balance));
  }

  private static PluginsConfig plugins(Node node) {
    node.checkKeys(PLUGINS_KEYS);
    Node directory = node.get("directory");
    String value = directory.stringValue(null);
    if (value == null || value.isEmpty()) {
      return PluginsConfig.defaults();
    }
    try {
      return new PluginsConfig(Path.of(value));
    } catch (InvalidPathException e) {
      throw ConfigException.at(
          directory.path(), Values.quote(value) + " is not a valid path (" + e.getReason() + ")");
    }
  }
}
