package dev.providergateway.client.cli;

import dev.providergateway.client.GatewayClient;
import dev.providergateway.client.GatewayException;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code provider-gateway} command line: {@code chat}, {@code stream} and {@code providers}
 * against a gateway, over plaintext gRPC or TLS ({@code --tls}, {@code --ca-file}), with the
 * caller's key from {@code --api-key} or {@code PROVIDER_GATEWAY_API_KEY}.
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
    versionProvider = GatewayCli.Version.class,
    subcommands = CommandLine.HelpCommand.class)
public final class GatewayCli implements Runnable {
  static final int EXIT_FAILURE = 1;
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  @Option(
      names = {"-V", "--version"},
      versionHelp = true,
      description = "Print the version and exit.")
  boolean version;

  @Option(
      names = "--target",
      defaultValue = "localhost:50051",
      paramLabel = "HOST:PORT",
      description = "Gateway address (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      defaultValue = "${env:PROVIDER_GATEWAY_API_KEY}",
      description =
          "The caller's gateway key, sent as 'authorization: Bearer KEY' (default: the"
              + " PROVIDER_GATEWAY_API_KEY environment variable; none if unset).")
  String apiKey;

  @Option(
      names = "--tls",
      description = "Use TLS, trusting the JVM's CAs, or --ca-file (default: plaintext).")
  boolean tls;

  @Option(
      names = "--ca-file",
      paramLabel = "PEM",
      description = "CA certificates (PEM) that sign the gateway's certificate; implies --tls.")
  Path caFile;

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
   * @param channelFactory opens a channel to a {@code --target} (tests); {@code null} builds a
   *     plaintext or TLS channel from the options. The CLI shuts every channel it opens down before
   *     returning
   * @return the exit code
   */
  public static int run(
      String[] args,
      PrintStream out,
      PrintStream err,
      Function<String, ManagedChannel> channelFactory) {
    GatewayCli cli =
        new GatewayCli(
            Objects.requireNonNull(out, "out"), Objects.requireNonNull(err, "err"), channelFactory);
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
    System.exit(run(args, System.out, System.err, null));
  }

  /** Opens a channel with these credentials; the transport (Netty) is found at run time. */
  static ManagedChannel channel(String target, ChannelCredentials credentials) {
    return Grpc.newChannelBuilder(target, credentials).build();
  }

  private ChannelCredentials credentials() throws IOException {
    if (caFile != null) {
      return TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build();
    }
    return tls ? TlsChannelCredentials.create() : InsecureChannelCredentials.create();
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
    ManagedChannel channel;
    try {
      channel =
          channelFactory != null ? channelFactory.apply(target) : channel(target, credentials());
    } catch (IOException | IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "cannot use --ca-file " + caFile + ": " + e.getMessage());
    }
    try {
      Channel calls = channel;
      if (apiKey != null && !apiKey.isEmpty()) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + apiKey);
        calls =
            ClientInterceptors.intercept(
                channel, MetadataUtils.newAttachHeadersInterceptor(headers));
      }
      GatewayClient client = GatewayClient.create(calls);
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
    if (e instanceof GatewayException failure
        && failure.code() == Status.Code.UNAVAILABLE
        && failure.reason().isEmpty()) {
      // No gateway answered: the transport's own words ("io exception") do not say where.
      err.println(
          "error: UNAVAILABLE: cannot reach the gateway at "
              + target
              + (tls || caFile != null ? " (TLS)" : " (plaintext)")
              + ": "
              + rootCause(failure));
    } else if (e instanceof GatewayException failure) {
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

  private static String rootCause(GatewayException failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String text = cause == failure ? failure.description() : cause.getMessage();
    return text == null || text.isBlank() ? failure.description() : text;
  }

  /** The version of this build, from {@code version.properties} (filtered by Maven). */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties properties = new Properties();
      try (InputStream in = GatewayCli.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {"provider-gateway-cli " + properties.getProperty("version", "unknown")};
    }
  }

  /** Formats a delay as seconds, e.g. {@code 3s} or {@code 1.5s}. */
  static String seconds(Duration delay) {
    BigDecimal millis = BigDecimal.valueOf(delay.toMillis());
    return millis.movePointLeft(3).stripTrailingZeros().toPlainString() + "s";
  }
}
