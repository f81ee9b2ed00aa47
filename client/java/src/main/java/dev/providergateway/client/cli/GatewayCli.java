package dev.providergateway.client.cli;

import dev.providergateway.client.GatewayClient;
import dev.providergateway.client.GatewayException;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code provider-gateway} command line: {@code chat}, {@code stream} and {@code providers}
 * against a gateway, over plaintext gRPC.
 *
 * <pre>
 * java -jar provider-gateway-cli.jar --target localhost:50051 chat "hello"
 * </pre>
 *
 * <p>Exit codes: 0 on success, 1 when the call fails (the error, its reason and any retry delay go
 * to standard error), 2 for usage errors.
 *
 * <p>{@link #run} is the whole program with its streams and channel factory passed in, so it can be
 * tested in-process; {@link #main} only wires it to the real ones. An instance serves one {@code
 * run}, on one thread.
 */
@Command(
    name = "provider-gateway",
    description = "Talk to LLM providers through a provider-gateway server.",
    subcommands = CommandLine.HelpCommand.class)
public final class GatewayCli implements Runnable {
  static final int EXIT_FAILURE = 1;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  @Option(
      names = "--target",
      defaultValue = "localhost:50051",
      paramLabel = "HOST:PORT",
      description = "Gateway address, plaintext (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Deadline of each call, e.g. 30s, 500ms, 2m (default: none).")
  Duration timeout;

  @Spec CommandSpec spec;

  final PrintStream out;
  final PrintStream err;
  private final Function<String, ManagedChannel> channelFactory;

  private GatewayCli(
      PrintStream out, PrintStream err, Function<String, ManagedChannel> channelFactory) {
    this.out = out;
    this.err = err;
    this.channelFactory = channelFactory;
  }

  /**
   * Runs the command line.
   *
   * @param args the arguments, as given to {@code main}
   * @param out where replies and tables go
   * @param err where usage, errors and token counts go
   * @param channelFactory opens a channel to a {@code --target}; the CLI shuts every channel it
   *     opens down before returning
   * @return the exit code
   */
  public static int run(
      String[] args,
      PrintStream out,
      PrintStream err,
      Function<String, ManagedChannel> channelFactory) {
    GatewayCli cli =
        new GatewayCli(
            Objects.requireNonNull(out, "out"),
            Objects.requireNonNull(err, "err"),
            Objects.requireNonNull(channelFactory, "channelFactory"));
    PrintWriter outWriter = new PrintWriter(out, true);
    PrintWriter errWriter = new PrintWriter(err, true);
    CommandLine commandLine =
        new CommandLine(cli)
            .addSubcommand(new ChatCommand(cli))
            .addSubcommand(new StreamCommand(cli))
            .addSubcommand(new ProvidersCommand(cli))
            .setOut(outWriter)
            .setErr(errWriter)
            .setExecutionExceptionHandler((e, line, parseResult) -> cli.reportFailure(e));
    int exitCode = commandLine.execute(args);
    outWriter.flush();
    errWriter.flush();
    out.flush();
    err.flush();
    return exitCode;
  }

  /**
   * Runs the command line on the process's streams, with plaintext channels, and exits.
   *
   * @param args the command-line arguments
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, GatewayCli::plaintextChannel));
  }

  /** Opens a plaintext channel; the transport (Netty) is found at run time. */
  static ManagedChannel plaintextChannel(String target) {
    return Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
  }

  /** Without a subcommand there is nothing to do: a usage error. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  /**
   * Opens a channel to {@code --target}, runs {@code action} with a client over it, and shuts the
   * channel down whatever happens.
   */
  int withClient(ToIntFunction<GatewayClient> action) {
    ManagedChannel channel = channelFactory.apply(target);
    try {
      GatewayClient client = GatewayClient.create(channel);
      if (timeout != null) {
        client = client.withDeadline(timeout);
      }
      return action.applyAsInt(client);
    } finally {
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private int reportFailure(Exception e) {
    out.flush();
    if (e instanceof GatewayException failure) {
      StringBuilder line = new StringBuilder("error: ").append(failure.code());
      if (!failure.reason().isEmpty()) {
        line.append(' ').append(failure.reason());
      }
      line.append(": ").append(failure.description());
      err.println(line);
      failure.retryDelay().ifPresent(delay -> err.println("retry after " + seconds(delay)));
      failure
          .fieldViolations()
          .forEach(v -> err.println("  " + v.field() + ": " + v.description()));
    } else {
      err.println("error: " + e);
    }
    err.flush();
    return EXIT_FAILURE;
  }

  /** Formats a delay as seconds, e.g. {@code 3s} or {@code 1.5s}. */
  static String seconds(Duration delay) {
    BigDecimal millis = BigDecimal.valueOf(delay.toMillis());
    return millis.movePointLeft(3).stripTrailingZeros().toPlainString() + "s";
  }
}
