package dev.providergateway.server;

import dev.providergateway.config.ConfigException;
import dev.providergateway.config.GatewayConfig;
import dev.providergateway.config.StartupOptions;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;

/**
 * The command-line entry point: {@code java -jar provider-gateway.jar [--config PATH] [--port N]}.
 * Invalid configuration fails at startup with a message naming the key; SIGTERM and SIGINT shut
 * the gateway down gracefully.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    GatewayServer gateway;
    try {
      StartupOptions options = StartupOptions.parse(args, env);
      if (options.helpRequested()) {
        System.out.println(StartupOptions.usage());
        return;
      }
      GatewayConfig config = options.resolve(env);
      gateway = GatewayServer.netty(config, env, Clock.systemUTC()).start();
      System.out.printf(
          "provider-gateway listening on %s:%d (providers: %s)%n",
          config.server().host(), gateway.port(), String.join(", ", gateway.providerNames()));
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
    Runtime.getRuntime().addShutdownHook(new Thread(running::shutdown, "gateway-shutdown"));
    running.awaitTermination();
  }
}
