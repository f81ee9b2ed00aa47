package dev.providergateway.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.providergateway.client.ChatRequests;
import dev.providergateway.client.ConverseSession;
import dev.providergateway.client.GatewayClient;
import dev.providergateway.client.GatewayException;
import dev.providergateway.client.TurnStream;
import dev.providergateway.client.cli.GatewayCli;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.server.GatewayServer;
import dev.providergateway.v1.StreamChunk;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java client and CLI against the real gateway (Netty, echo provider) on loopback. */
class RealGatewayTest {
  private static GatewayServer gateway;
  private static ManagedChannel channel;
  private static GatewayClient client;

  @BeforeAll
  static void start() throws Exception {
    gateway =
        GatewayServer.netty(
                ConfigLoader.parse(
                    "server: {host: 127.0.0.1, port: 0}\nresilience: {max_retries: 0}\n", Map.of()),
                Map.of(),
                Clock.systemUTC())
            .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
    client = GatewayClient.create(channel).withDeadline(Duration.ofSeconds(20));
  }

  @AfterAll
  static void stop() {
    channel.shutdownNow();
    gateway.shutdown();
  }

  @Test
  void chat_echo_returnsReply() {
    assertThat(client.chat(ChatRequests.of("echo", "", "hello from java").build()).getContent())
        .isEqualTo("hello from java");
  }

  @Test
  void stream_echo_endsWithOneFinalChunk() {
    List<StreamChunk> chunks = new ArrayList<>();
    try (var stream = client.stream(ChatRequests.of("echo", "", "x y z").build())) {
      stream.forEachRemaining(chunks::add);
    }
    assertThat(chunks)
        .extracting(StreamChunk::getIsFinal)
        .containsExactly(false, false, false, true);
  }

  @Test
  void embed_echo_oneUnitVectorPerInputInOrder() {
    var response =
        client.embed(
            dev.providergateway.v1.EmbedRequest.newBuilder()
                .setModel("echo/echo-1")
                .addInputs("first text")
                .addInputs("second text")
                .build());

    assertThat(response.getProvider()).isEqualTo("echo");
    assertThat(response.getEmbeddingsList()).hasSize(2);
    for (var e : response.getEmbeddingsList()) {
      assertThat(e.getValuesList()).hasSize(8);
      double norm = e.getValuesList().stream().mapToDouble(v -> v * v).sum();
      assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    }
    assertThat(response.getEmbeddings(0).getValuesList())
        .isNotEqualTo(response.getEmbeddings(1).getValuesList());
  }

  @Test
  void embed_noInputs_exceptionNamesTheField() {
    GatewayException e =
        catchThrowableOfType(
            GatewayException.class,
            () ->
                client.embed(
                    dev.providergateway.v1.EmbedRequest.newBuilder()
                        .setModel("echo/echo-1")
                        .build()));

    assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.fieldViolations()).extracting(v -> v.field()).containsExactly("inputs");
  }

  @Test
  void countTokens_echo_localEstimateMarkedEstimated() {
    var response = client.countTokens(ChatRequests.of("echo", "", "abcdefghijklmnop").build());

    assertThat(response.getEstimated()).isTrue();
    assertThat(response.getInputTokens()).isEqualTo(8);
    assertThat(response.getProvider()).isEqualTo("echo");
  }

  @Test
  void chat_rateLimited_exceptionCarriesReasonAndRetryDelay() {
    Struct extra =
        Struct.newBuilder()
            .putFields(
                "echo_error", Value.newBuilder().setStringValue("PROVIDER_RATE_LIMIT").build())
            .putFields("echo_retry_after_ms", Value.newBuilder().setNumberValue(3000).build())
            .build();

    GatewayException e =
        catchThrowableOfType(
            GatewayException.class,
            // Its own model: a 429 cools its (provider, model) down for the Retry-After period.
            () ->
                client.chat(
                    ChatRequests.of("echo", "echo-rate-limited", "x").setExtra(extra).build()));

    assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.reason()).isEqualTo("PROVIDER_RATE_LIMIT");
    assertThat(e.retryDelay()).contains(Duration.ofSeconds(3));
    assertThat(e.errorMetadata()).containsEntry("provider", "echo");
  }

  @Test
  void converse_historyTurns_secondTurnSeesFirst() {
    try (ConverseSession session = client.converse()) {
      List<StreamChunk> first = new ArrayList<>();
      try (TurnStream turn =
          session.startTurn("1", ChatRequests.of("echo", "", "remember me").build(), true)) {
        turn.forEachRemaining(first::add);
      }
      List<StreamChunk> second = new ArrayList<>();
      try (TurnStream turn =
          session.startTurn("2", ChatRequests.of("echo", "", "again").build(), true)) {
        turn.forEachRemaining(second::add);
      }
      // History: "remember me" (2) + assistant "remember me" (2) + "again" (1) words of prompt.
      assertThat(second.get(second.size() - 1).getUsage().getPromptTokens()).isEqualTo(5);
    }
  }

  @Test
  void cli_chatAgainstRealGateway_printsReply() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code =
        GatewayCli.run(
            new String[] {"--target", "127.0.0.1:" + gateway.port(), "chat", "hi", "cli"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            target -> NettyChannelBuilder.forTarget(target).usePlaintext().build());

    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("hi cli");
  }
}
