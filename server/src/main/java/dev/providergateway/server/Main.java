package dev.providergateway.server;

import dev.providergateway.config.AuthConfig;
import dev.providergateway.config.ConfigException;
import dev.providergateway.config.GatewayConfig;
import dev.providergateway.config.HttpConfig;
import dev.providergateway.config.StartupOptions;
import dev.providergateway.observability.DrainingLogManager;
import dev.providergateway.observability.Logging;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;

/**
 * The command-line entry point: {@code java -jar provider-gateway.jar [--config PATH] [--port N]
 * [--health-check]}. Invalid configuration fails at startup with a message naming the key; SIGTERM
 * and SIGINT shut the gateway down gracefully; with a config file, SIGHUP or a change to the file
 * reloads it.
 */
public final class Main {
  static {
    // Before anything logs (the first logger creates the LogManager): keeps the log handlers
    // open until the shutdown drain is over; see DrainingLogManager.
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", DrainingLogManager.class.getName());
    }
  }

  private static final System.Logger LOG = System.getLogger(Main.class.getName());

  private static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  private Main() {}

  public static void main(String[] args) {
    // On a 2-core machine the common pool has parallelism 1, and CompletableFuture then starts a
    // new thread for every async completion (a plugin's *Async continuations, say): a thread per
    // call. Set before anything touches the common pool.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(
          COMMON_POOL_PARALLELISM,
          Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors())));
    }
    Map<String, String> env = System.getenv();
    GatewayServer gateway;
    StartupOptions options;
    GatewayConfig config;
    try {
      options = StartupOptions.parse(args, env);
      if (options.helpRequested()) {
        System.out.println(StartupOptions.usage());
        return;
      }
      config = withHttpPortFromEnv(options.resolve(env), env);
      if (options.healthCheck()) {
        System.exit(HealthProbe.check(config));
        return;
      }
      Logging.configure(config.logging());
      warnAboutAuth(config);
      gateway = GatewayServer.netty(config, env, Clock.systemUTC()).start();
      System.out.printf(
          "provider-gateway listening on %s:%d (providers: %s)%n",
          config.server().host(), gateway.port(), String.join(", ", gateway.providerNames()));
      if (gateway.httpPort() >= 0) {
        System.out.printf(
            "OpenAI-compatible HTTP on %s://%s:%d/v1%n",
            config.server().tls().enabled() ? "https" : "http",
            config.server().host(),
            gateway.httpPort());
      }
      System.out.flush();
    } catch (ConfigException | IllegalStateException | IllegalArgumentException e) {
      System.err.println("provider-gateway: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    } catch (IOException e) {
      System.err.println("provider-gateway: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    GatewayServer running = gateway;
    ConfigReloader reloader =
        options.configFile() == null
            ? null
            : new ConfigReloader(options.configFile(), env, options.portOverride(), running)
                .onSighup()
                .watch();
    DrainingLogManager.hold();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    if (reloader != null) {
                      reloader.close();
                    }
                    running.shutdown();
                  } finally {
                    DrainingLogManager.release();
                  }
                },
                "gateway-shutdown"));
    running.awaitTermination();
  }

  /** {@code config} with {@code http.port} from {@value HttpConfig#PORT_ENV}, when that is set. */
  static GatewayConfig withHttpPortFromEnv(GatewayConfig config, Map<String, String> env) {
    String value = env.get(HttpConfig.PORT_ENV);
    if (value == null || value.isBlank()) {
      return config;
    }
    int port;
    try {
      port = Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          HttpConfig.PORT_ENV
              + ": '"
              + value.strip()
              + "' is not valid, expected an integer port in 0..65535");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          HttpConfig.PORT_ENV
              + ": "
              + port
              + " is out of range, expected 0..65535 (0 = any free port)");
    }
    return config.toBuilder().http(config.http().withPort(port)).build();
  }

  private static void warnAboutAuth(GatewayConfig config) {
    AuthConfig auth = config.auth();
    if (auth.enabled()) {
      LOG.log(
          System.Logger.Level.INFO, "caller authentication on: {0} API key(s)", auth.keys().size());
    } else if (config.server().loopback()) {
      LOG.log(
          System.Logger.Level.INFO,
          "caller authentication off: serving {0} (loopback) only;"
              + " configure auth.keys before binding another address",
          config.server().host());
    } else {
      LOG.log(
          System.Logger.Level.WARNING,
          "caller authentication is OFF (auth.enabled: false) while listening on"
              + " {0}: anyone who can reach this port can spend your provider credits",
          config.server().host());
    }
  }
}
