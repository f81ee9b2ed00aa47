package dev.providergateway.openai;

import static dev.providergateway.openai.DoorFixture.JSON;
import static dev.providergateway.openai.DoorFixture.await;
import static dev.providergateway.openai.DoorFixture.chunk;
import static dev.providergateway.openai.DoorFixture.completion;
import static dev.providergateway.openai.DoorFixture.finish;
import static dev.providergateway.openai.DoorFixture.readToEnd;
import static dev.providergateway.openai.DoorFixture.readUntil;
import static dev.providergateway.openai.DoorFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Connection;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.FakeUpstream.Side;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Shutdown through the real gateway and HTTP door with a slow fake OpenAI upstream: the door stops
 * taking connections and requests (a kept-alive connection's next request gets 503 in OpenAI's
 * error shape with {@code Connection: close}), calls already running finish within the gRPC
 * server's grace period ({@code server.shutdown_grace}), and what is still running when it ends is
 * cancelled: the upstream request is closed, a stream ends with an error event and no {@code
 * [DONE]}, a unary call gets 503, and the connection closes.
 */
class OpenAiDoorDrainTest {
  private static final String YAML =
      """
      server: {host: 127.0.0.1, port: 0, shutdown_grace: %s}
      providers:
        - name: up
          type: openai
          base_url: %%s/v1
          api_key: k
          default_model: m
      default_provider: up
      resilience: {first_token_timeout: 60s, idle_timeout: 60s, max_retries: 0}
      auth:
        keys:
          - {id: tester, key_sha256: %%s}
      """;

  /** "slow": answers after 1.5 s (unary) or streams 3 chunks 500 ms apart; "hang": never ends. */
  private static Response answer(FakeUpstream.RecordedRequest r) {
    String model = r.json().path("model").asText();
    boolean stream = r.json().path("stream").asBoolean();
    if (model.equals("hang")) {
      return stream
          ? Response.stream(200, "text/event-stream", Duration.ZERO, List.of(chunk("Hel")))
              .thenHang("\n")
          : Response.json(200, completion("late")).withDelayBeforeHeaders(Duration.ofSeconds(60));
    }
    if (stream) {
      return Response.stream(
          200,
          "text/event-stream",
          Duration.ofMillis(500),
          List.of(chunk("one"), chunk(" two"), finish(), "data: [DONE]\n\n"));
    }
    return Response.json(200, completion("slow answer"))
        .withDelayBeforeHeaders(Duration.ofMillis(1500));
  }

  private DoorFixture door;

  @AfterEach
  void stop() {
    if (door != null) {
      door.close();
    }
  }

  private static String body(String model, boolean stream) {
    return "{\"model\":\"up/"
        + model
        + "\",\"stream\":"
        + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  @Test
  void shutdown_runningCallsFinish_newRequestsGet503AndClose_newConnectionsRefused()
      throws Exception {
    door = new DoorFixture(OpenAiDoorDrainTest::answer, YAML.formatted("20s"));
    int port = door.gateway.httpPort();
    try (Socket unary = new Socket("127.0.0.1", port);
        Socket stream = new Socket("127.0.0.1", port);
        Socket idle = new Socket("127.0.0.1", port)) {
      // The idle connection is kept alive after one answered request.
      idle.getOutputStream()
          .write("GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      readUntil(idle.getInputStream(), "\"ok\"}");
      send(unary, body("slow", false));
      send(stream, body("slow", true));
      assertThat(await(() -> door.upstream.requestCount() >= 2, Duration.ofSeconds(20))).isTrue();

      long started = System.nanoTime();
      CompletableFuture<Void> shutdown = CompletableFuture.runAsync(door.gateway::shutdown);
      assertThat(await(() -> !canConnect(port), Duration.ofSeconds(10)))
          .as("the door stops accepting connections")
          .isTrue();

      send(idle, body("slow", false));
      String refused = readToEnd(idle.getInputStream());
      assertThat(refused).startsWith("HTTP/1.1 503");
      assertThat(refused.toLowerCase()).contains("connection: close");
      JsonNode error = JSON.readTree(refused.substring(refused.indexOf("\r\n\r\n") + 4));
      assertThat(error.at("/error/code").asText()).isEqualTo("shutting_down");
      assertThat(error.at("/error/type").asText()).isEqualTo("server_error");

      String answered = readToEnd(unary.getInputStream());
      assertThat(answered).startsWith("HTTP/1.1 200").contains("slow answer");
      assertThat(answered.toLowerCase()).contains("connection: close");
      String streamed = readToEnd(stream.getInputStream());
      assertThat(streamed).startsWith("HTTP/1.1 200").contains(" two").contains("data: [DONE]");

      shutdown.get();
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .as("shutdown waited for the calls, not the whole grace period")
          .isLessThan(Duration.ofSeconds(15));
      // The refused request never reached the upstream: only the unary call and the stream did.
      assertThat(door.upstream.requestCount()).isEqualTo(2);
    }
  }

  @Test
  void shutdown_graceOver_cancelsUpstream_streamEndsWithErrorEvent_unaryGets503() throws Exception {
    door = new DoorFixture(OpenAiDoorDrainTest::answer, YAML.formatted("1s"));
    int port = door.gateway.httpPort();
    try (Socket unary = new Socket("127.0.0.1", port);
        Socket stream = new Socket("127.0.0.1", port)) {
      send(unary, body("hang", false));
      send(stream, body("hang", true));
      readUntil(stream.getInputStream(), "Hel");
      assertThat(await(() -> door.upstream.requestCount() >= 2, Duration.ofSeconds(20))).isTrue();

      long started = System.nanoTime();
      door.gateway.shutdown();
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(took)
          .isGreaterThanOrEqualTo(Duration.ofMillis(900))
          .isLessThan(Duration.ofSeconds(10));

      String answered = readToEnd(unary.getInputStream());
      assertThat(answered).startsWith("HTTP/1.1 503");
      assertThat(answered).contains("\"code\":\"shutting_down\"");
      // "Hel" was read above; what follows is the error event, then the connection closes.
      String streamed = readToEnd(stream.getInputStream());
      assertThat(streamed).contains("data: {\"error\"", "\"code\":\"shutting_down\"");
      assertThat(streamed).doesNotContain("[DONE]");

      assertThat(
              await(
                  () -> door.upstream.connections().stream().noneMatch(Connection::open),
                  Duration.ofSeconds(5)))
          .as("upstream connections still open: %s", door.upstream.connections())
          .isTrue();
      for (Connection c : door.upstream.connections()) {
        assertThat(c.closedBy()).isEqualTo(Side.CLIENT);
      }
    }
  }

  private static boolean canConnect(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (ConnectException e) {
      return false;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
