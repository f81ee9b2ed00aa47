package dev.providergateway.server;

import static dev.providergateway.testing.Requests.chat;
import static dev.providergateway.testing.Requests.extra;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.providergateway.auth.ApiKeyAuthenticator;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.v1.ProviderServiceGrpc;
import dev.providergateway.v1.StreamChunk;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config reload on a real gateway: applied whole between calls, or rejected whole. */
class ReloadTest {
  private static final String BASE = "server: {host: 127.0.0.1, port: 0, shutdown_grace: 10s}\n";

  @TempDir Path dir;
  private Path file;
  private GatewayServer gateway;
  private ManagedChannel channel;
  private ConfigReloader reloader;

  @BeforeEach
  void start() throws Exception {
    file = dir.resolve("gateway.yaml");
    Files.writeString(file, BASE + "providers: [{name: first, type: echo}]\n");
    gateway =
        GatewayServer.netty(ConfigLoader.load(file, Map.of()), Map.of(), Clock.systemUTC()).start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
    reloader = new ConfigReloader(file, Map.of(), null, gateway);
  }

  @AfterEach
  void stop() throws InterruptedException {
    reloader.close();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    gateway.shutdown();
  }

  @Test
  void reload_validFile_swapsProvidersWhileAnInFlightStreamFinishesOnTheOld() throws Exception {
    var stub = ProviderServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    var stream =
        stub.stream(
            chat("first", "slow stream of words").setExtra(extra("echo_delay_ms", 100)).build());
    assertThat(stream.next().getContent()).isEqualTo("slow");

    Files.writeString(file, BASE + "providers: [{name: second, type: echo}]\n");
    assertThat(reloader.reloadNow()).isTrue();

    List<StreamChunk> rest = new ArrayList<>();
    stream.forEachRemaining(rest::add);
    assertThat(rest).last().satisfies(c -> assertThat(c.getIsFinal()).isTrue());
    assertThat(rest).last().satisfies(c -> assertThat(c.getProvider()).isEqualTo("first"));
    assertThat(stub.chat(chat("second", "new").build()).getContent()).isEqualTo("new");
    var gone =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> stub.chat(chat("first", "x").build()));
    assertThat(gone.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(gateway.providerNames()).contains("second").doesNotContain("first");
  }

  @Test
  void reload_invalidFile_isRejectedWholeAndTheRunningConfigStays() throws Exception {
    var stub = ProviderServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    // Valid YAML and a valid second provider, but an unknown type in the first: nothing applies.
    Files.writeString(
        file, BASE + "providers: [{name: second, type: echo}, {name: third, type: nosuchtype}]\n");
    assertThat(reloader.reloadNow()).isFalse();
    Files.writeString(
        file, BASE + "providers: [{name: second, type: echo}]\nlimits: {max_tools: -1}\n");
    assertThat(reloader.reloadNow()).isFalse();

    assertThat(stub.chat(chat("first", "still here").build()).getContent()).isEqualTo("still here");
    assertThat(gateway.providerNames()).contains("first").doesNotContain("second", "third");
  }

  @Test
  void reload_startupOnlyChange_keepsTheRunningValue() throws Exception {
    int port = gateway.port();
    Files.writeString(
        file, BASE.replace("port: 0", "port: 1") + "providers: [{name: second, type: echo}]\n");

    assertThat(reloader.reloadNow()).isTrue();
    assertThat(gateway.config().server().port()).isZero();
    assertThat(gateway.port()).isEqualTo(port);
    assertThat(gateway.providerNames()).contains("second");
  }

  /**
   * The config file rewritten in place with a pause half-way (an editor or a slow copy): the half
   * file is valid YAML without the auth section, and must never turn authentication off.
   */
  @Test
  void watch_halfWrittenFileWithoutAuth_neverServesCallsWithoutAKey() throws Exception {
    String key = "reload-test-key";
    String auth =
        "auth:\n  keys:\n    - {id: team, key_sha256: "
            + ApiKeyAuthenticator.sha256Hex(key)
            + "}\n";
    Path authFile = dir.resolve("auth.yaml");
    Files.writeString(authFile, BASE + "providers: [{name: first, type: echo}]\n" + auth);
    GatewayServer authed =
        GatewayServer.netty(ConfigLoader.load(authFile, Map.of()), Map.of(), Clock.systemUTC())
            .start();
    ManagedChannel authedChannel =
        NettyChannelBuilder.forAddress("127.0.0.1", authed.port()).usePlaintext().build();
    try (ConfigReloader watching = new ConfigReloader(authFile, Map.of(), null, authed).watch()) {
      var anonymous =
          ProviderServiceGrpc.newBlockingStub(authedChannel)
              .withDeadlineAfter(10, TimeUnit.SECONDS);
      String next = BASE + "providers: [{name: second, type: echo}]\n" + auth;
      int half = next.indexOf("auth:");
      try (OutputStream out = Files.newOutputStream(authFile)) { // truncates: in place
        out.write(next.substring(0, half).getBytes(StandardCharsets.UTF_8));
        out.flush();
        Thread.sleep(1_500);
        assertThat(unauthenticated(anonymous)).as("while the file is half-written").isTrue();
        out.write(next.substring(half).getBytes(StandardCharsets.UTF_8));
      }
      Thread.sleep(1_500);
      assertThat(unauthenticated(anonymous)).as("after the write").isTrue();
      Metadata headers = new Metadata();
      headers.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
      var keyed = anonymous.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      assertThat(keyed.chat(chat("second", "applied").build()).getContent()).isEqualTo("applied");
    } finally {
      authedChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      authed.shutdown();
    }
  }

  private static boolean unauthenticated(ProviderServiceGrpc.ProviderServiceBlockingStub stub) {
    try {
      stub.chat(chat("echo", "no key").build());
      return false;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode() == Status.Code.UNAUTHENTICATED;
    }
  }

  @Test
  void reload_afterShutdown_isRefused() {
    gateway.shutdown();
    assertThatThrownBy(() -> gateway.reload(ConfigLoader.parse(BASE, Map.of())))
        .isInstanceOf(IllegalStateException.class);
  }
}
