package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the command line and environment say about startup: which config file to load and which port
 * to listen on.
 *
 * <p>The file comes from {@code --config PATH} or else {@value #CONFIG_ENV}; without either the
 * gateway runs on {@link GatewayConfig#defaults()}. The port is taken from, in order: {@code --port
 * N}, {@value #PORT_ENV}, the file's {@code server.port}, 50051.
 *
 * @param configFile the file to load, or null for the defaults
 * @param portOverride the port that beats the file's, 0..65535 (0 picks a free port), or null
 * @param helpRequested whether {@code --help} was given; the caller should print {@link #usage()}
 *     and exit
 * @param healthCheck whether {@code --health-check} was given: probe the running gateway's health
 *     service and exit 0 if it is SERVING
 */
public record StartupOptions(
    Path configFile, Integer portOverride, boolean helpRequested, boolean healthCheck) {

  /** The environment variable naming the config file when {@code --config} is absent. */
  public static final String CONFIG_ENV = "PROVIDER_GATEWAY_CONFIG";

  /** The environment variable giving the port when {@code --port} is absent. */
  public static final String PORT_ENV = "PROVIDER_GATEWAY_PORT";

  private static final String FLAGS = "--config PATH, --port N, --health-check, --help";

  public StartupOptions {
    if (portOverride != null) {
      Checks.range("port", portOverride, 0, 65535);
    }
  }

  /** Options without {@code --help} or {@code --health-check}. */
  public StartupOptions(Path configFile, Integer portOverride) {
    this(configFile, portOverride, false, false);
  }

  /** Options without {@code --health-check}. */
  public StartupOptions(Path configFile, Integer portOverride, boolean helpRequested) {
    this(configFile, portOverride, helpRequested, false);
  }

  /**
   * Reads {@code args} ({@code --config PATH}, {@code --config=PATH}, {@code --port N}, {@code
   * --port=N}, {@code --help}), falling back to {@value #CONFIG_ENV} and {@value #PORT_ENV} in
   * {@code env}. A blank variable counts as unset.
   *
   * @throws ConfigException for an unknown argument, a missing value or a bad port, naming the flag
   *     or variable, the value and what is expected
   */
  public static StartupOptions parse(String[] args, Map<String, String> env) {
    requireNonNull(args, "args");
    requireNonNull(env, "env");
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      // Help wins over everything else, so a broken command line can still ask for it.
      return new StartupOptions(null, null, true);
    }
    String config = null;
    String port = null;
    boolean healthCheck = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      boolean inline = flag.length() < arg.length();
      switch (flag) {
        case "--health-check" -> {
          if (inline) {
            throw ConfigException.at(flag, "takes no value");
          }
          healthCheck = true;
        }
        case "--config", "--port" -> {
          String value;
          if (inline) {
            value = arg.substring(flag.length() + 1);
          } else if (i + 1 < args.length) {
            value = args[++i];
          } else {
            throw ConfigException.at(flag, "missing value, expected " + expectation(flag));
          }
          if (flag.equals("--config")) {
            config = value;
          } else {
            port = value;
          }
        }
        default ->
            throw new ConfigException(
                (arg.startsWith("-") ? "unknown option " : "unexpected argument ")
                    + Values.quote(arg)
                    + ", expected one of "
                    + FLAGS);
      }
    }
    Path configFile =
        config != null
            ? path("--config", config)
            : blank(env.get(CONFIG_ENV)) ? null : path(CONFIG_ENV, env.get(CONFIG_ENV));
    Integer portOverride = null;
    if (port != null) {
      portOverride = port("--port", port);
    } else if (!blank(env.get(PORT_ENV))) {
      portOverride = port(PORT_ENV, env.get(PORT_ENV));
    }
    return new StartupOptions(configFile, portOverride, false, healthCheck);
  }

  /**
   * The config to run with: the file if one was given (else the defaults), with the port override
   * applied, and {@value StateConfig#REDIS_URL_ENV} (when set) in place of {@code state.redis_url}.
   *
   * @param env the environment for {@code ${VAR}} references in the file
   * @throws ConfigException if the file cannot be loaded
   */
  public GatewayConfig resolve(Map<String, String> env) {
    requireNonNull(env, "env");
    GatewayConfig config =
        configFile == null ? GatewayConfig.defaults() : ConfigLoader.load(configFile, env);
    String redisUrl = env.get(StateConfig.REDIS_URL_ENV);
    if (!blank(redisUrl)) {
      config =
          config.withState(
              config.state().withRedisUrl(Secret.of(redisUrl.strip()), StateConfig.REDIS_URL_ENV));
    }
    return portOverride == null ? config : config.withPort(portOverride);
  }

  /** The command-line help text. */
  public static String usage() {
    return String.join(
        System.lineSeparator(),
        "Usage: provider-gateway [--config PATH] [--port N] [--health-check]",
        "  --config PATH  YAML config file (default: $" + CONFIG_ENV + ", else built-in defaults)",
        "  --port N       port to listen on, 0..65535, 0 = any free port",
        "                 (default: $" + PORT_ENV + ", else server.port, else 50051)",
        "  --health-check ask the running gateway's gRPC health service whether it is serving;",
        "                 exit 0 if so, else 1 (for Docker HEALTHCHECK and exec probes)",
        "  --help         print this help and exit");
  }

  private static String expectation(String flag) {
    return flag.equals("--config") ? "a path to a YAML config file" : portExpectation();
  }

  private static String portExpectation() {
    return "an integer port in 0..65535 (0 = any free port)";
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  private static Path path(String source, String value) {
    if (value.isBlank()) {
      throw ConfigException.at(source, "empty value, expected a path to a YAML config file");
    }
    try {
      return Path.of(value.strip());
    } catch (InvalidPathException e) {
      throw ConfigException.at(
          source,
          Values.quote(value)
              + " is not a valid path ("
              + e.getReason()
              + "), expected a path to a YAML config file");
    }
  }

  private static int port(String source, String value) {
    int port;
    try {
      port = Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw ConfigException.at(
          source, Values.quote(value) + " is not a valid port, expected " + portExpectation());
    }
    if (port < 0 || port > 65535) {
      throw ConfigException.at(source, port + " is out of range, expected " + portExpectation());
    }
    return port;
  }
}
