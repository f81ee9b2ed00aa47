package dev.providergateway.server;

import static dev.providergateway.testing.Requests.chat;
import static dev.providergateway.testing.Requests.extra;
import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.v1.ProviderServiceGrpc;
import dev.providergateway.v1.StreamChunk;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real entry point in its own JVM: zero-config start, SIGTERM drain, config errors. */
class MainProcessTest {
  private static final Pattern LISTENING =
      Pattern.compile("listening on .*:(\\d+) \\(providers: (.*)\\)");

  @Test
  void main_sigterm_drainsInFlightStreamThenExits() throws Exception {
    Process process = start("--port", "0");
    try {
      int port = awaitPort(process);
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      var stream =
          ProviderServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(20, TimeUnit.SECONDS)
              .stream(
                  chat("echo", "draining one two three")
                      .setExtra(extra("echo_delay_ms", 150))
                      .build());
      assertThat(stream.next().getContent()).isEqualTo("draining");

      process.destroy(); // SIGTERM

      List<StreamChunk> rest = new ArrayList<>();
      stream.forEachRemaining(rest::add);
      assertThat(rest).last().satisfies(c -> assertThat(c.getIsFinal()).isTrue());
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isEqualTo(143);
      channel.shutdownNow();
    } finally {
      process.destroyForcibly();
    }
  }

  /**
   * JUL's own shutdown hook resets the log handlers while the gateway's hook still drains: the
   * access lines of calls that finish in the drain and the grace warning must still be written.
   */
  @Test
  void main_sigterm_writesDrainAccessLinesAndGraceWarning(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(
        config, "server:\n  host: 127.0.0.1\n  shutdown_grace: 2s\nlogging:\n  format: json\n");
    Path stderr = dir.resolve("stderr.log");
    // To a file: Process.destroy() closes the pipes, and the drain writes after it.
    Process process = start(stderr, "--config", config.toString(), "--port", "0");
    try {
      int port = awaitPort(process);
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      var finishing =
          ProviderServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(20, TimeUnit.SECONDS)
              .stream(
                  chat("echo", "drained one two").setExtra(extra("echo_delay_ms", 200)).build());
      var outliving =
          ProviderServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(20, TimeUnit.SECONDS)
              .stream(chat("echo", "cut off").setExtra(extra("echo_delay_ms", 1500)).build());
      assertThat(finishing.next().getContent()).isEqualTo("drained");

      process.destroy(); // SIGTERM

      finishing.forEachRemaining(c -> {});
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      channel.shutdownNow();
      String err = Files.readString(stderr);
      assertThat(err)
          .containsPattern("\"message\":\"access\".*\"method\":\"Stream\".*\"status\":\"OK\"")
          .contains("grace period of PT2S over");
      assertThat(err)
          .containsPattern(
              "\"message\":\"access\".*\"method\":\"Stream\".*\"status\":\"CANCELLED\"");
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void main_invalidConfig_exitsWithMessageNamingKey(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, "server:\n  prot: 50051\n");
    Process process = start("--config", config.toString());

    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(err).contains("server.prot").contains("port");
  }

  private static Process start(String... args) throws Exception {
    return start(null, args);
  }

  private static Process start(Path stderr, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    if (stderr != null) {
      builder.redirectError(stderr.toFile());
    }
    return builder.start();
  }

  private static int awaitPort(Process process) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertThat(line).as("first line of stdout").isNotNull();
    Matcher m = LISTENING.matcher(line);
    assertThat(m.find()).as(line).isTrue();
    assertThat(m.group(2)).contains("echo");
    return Integer.parseInt(m.group(1));
  }
}
