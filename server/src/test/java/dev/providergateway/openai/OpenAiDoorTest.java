package dev.providergateway.openai;

import static dev.providergateway.openai.DoorFixture.JSON;
import static dev.providergateway.openai.DoorFixture.KEY;
import static dev.providergateway.openai.DoorFixture.await;
import static dev.providergateway.openai.DoorFixture.chunk;
import static dev.providergateway.openai.DoorFixture.completion;
import static dev.providergateway.openai.DoorFixture.finish;
import static dev.providergateway.openai.DoorFixture.readUntil;
import static dev.providergateway.openai.DoorFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Connection;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.FakeUpstream.Side;
import dev.providergateway.server.GatewayServer;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI-compatible HTTP door end to end: the real Netty gateway, real HTTP from the JDK client
 * (or a raw socket where the test needs to stop reading or hang up), and a fake upstream speaking
 * OpenAI's wire format. Bad requests are refused with the documented 4xx naming the problem and
 * never reach the upstream; a client that hangs up cancels the upstream request within 100 ms; a
 * client that stops reading a stream stops the upstream read.
 */
class OpenAiDoorTest {
  private static final int CHUNKS = 6_000;
  private static final String PIECE = "x".repeat(16 * 1024);

  private final DoorFixture door =
      new DoorFixture(
          r -> {
            String model = r.json().path("model").asText();
            boolean stream = r.json().path("stream").asBoolean();
            if (model.equals("hang")) {
              return stream
                  ? Response.stream(200, "text/event-stream", Duration.ZERO, List.of(chunk("Hel")))
                      .thenHang("\n")
                  : Response.json(200, completion("late"))
                      .withDelayBeforeHeaders(Duration.ofSeconds(60));
            }
            if (model.equals("flood")) {
              List<String> events = new ArrayList<>(Collections.nCopies(CHUNKS, chunk(PIECE)));
              events.add(finish());
              events.add("data: [DONE]\n\n");
              return Response.sse(events);
            }
            if (stream) {
              return Response.sse(
                  List.of(chunk("Hello"), chunk(" world"), finish(), "data: [DONE]\n\n"));
            }
            return Response.json(200, completion("Hello world"));
          },
          DoorFixture.ONE_UPSTREAM);
  private final FakeUpstream upstream = door.upstream;
  private final GatewayServer gateway = door.gateway;
  private final HttpClient http = door.http;

  @AfterEach
  void stop() {
    door.close();
  }

  @Test
  void chat_nonStreaming_answersInOpenAiShape() throws Exception {
    HttpResponse<String> r =
        post(
            "{\"model\":\"up/m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":5}");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("object").asText()).isEqualTo("chat.completion");
    assertThat(body.path("id").asText()).startsWith("chatcmpl-");
    assertThat(body.path("created").asLong()).isPositive();
    assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Hello world");
    assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(4);
    assertThat(body.at("/usage/prompt_tokens_details/cached_tokens").isInt()).isTrue();
    assertThat(r.headers().firstValue("x-request-id")).isPresent();
    assertThat(upstream.takeRequest().json().path("max_tokens").asInt()).isEqualTo(5);
  }

  @Test
  void chat_streaming_sendsChunksThenDone() throws Exception {
    HttpResponse<String> r =
        post(
            "{\"model\":\"up/m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    List<String> events =
        r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    StringBuilder text = new StringBuilder();
    for (String e : events.subList(0, events.size() - 1)) {
      JsonNode chunk = JSON.readTree(e);
      assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
      chunk.path("choices").forEach(c -> text.append(c.at("/delta/content").asText("")));
    }
    assertThat(text.toString()).isEqualTo("Hello world");
    JsonNode usage = JSON.readTree(events.get(events.size() - 2));
    assertThat(usage.path("choices").size()).isZero();
    assertThat(usage.at("/usage/total_tokens").asInt()).isEqualTo(4);
  }

  @Test
  void h2cUpgrade_chatAndStream_answerOverHttp2() throws Exception {
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> first = null;
    HttpResponse<String> streamed = null;
    for (String body :
        List.of(
            "{\"model\":\"up/m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "{\"model\":\"up/m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
      HttpRequest request =
          HttpRequest.newBuilder(uri("/v1/chat/completions"))
              .header("Authorization", "Bearer " + KEY)
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      HttpResponse<String> r = h2.send(request, HttpResponse.BodyHandlers.ofString());
      if (first == null) {
        first = r;
      } else {
        streamed = r;
      }
    }

    // The JDK client upgrades with its first request (sent whole over HTTP/1.1), then speaks h2.
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(first.body()).at("/choices/0/message/content").asText())
        .isEqualTo("Hello world");
    assertThat(streamed.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(streamed.body()).contains("\"content\":\" world\"").endsWith("data: [DONE]\n\n");
  }

  @Test
  void malformedBody_is400NamingTheBody_andNothingReachesUpstream() throws Exception {
    HttpResponse<String> r = post("{\"model\": \"up/m\", \"messages\": [");

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(r.body()).path("error");
    assertThat(error.path("param").asText()).isEqualTo("body");
    assertThat(error.path("message").asText()).contains("body", "not valid JSON");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(upstream.requestCount()).isZero();
  }

  @Test
  void wrongTypes_are400NamingEveryField_andNothingReachesUpstream() throws Exception {
    HttpResponse<String> r =
        post(
            "{\"model\":\"up/m\",\"temperature\":\"hot\",\"messages\":[{\"role\":\"user\",\"content\":42}]}");

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(r.body()).path("error");
    assertThat(error.path("message").asText())
        .contains("temperature: must be a number, got a string")
        .contains("messages[0].content: must be a string or an array of parts, got a number");
    assertThat(upstream.requestCount()).isZero();
  }

  @Test
  void oversizedBody_is413NamingTheLimit_andNothingReachesUpstream() throws Exception {
    String big = "y".repeat(70_000);
    HttpResponse<String> r =
        post("{\"model\":\"up/m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + big + "\"}]}");

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(r.body()).at("/error/message").asText())
        .contains("limits.max_request_bytes", "65536");
    assertThat(upstream.requestCount()).isZero();
  }

  @Test
  void unknownModel_is404NamingTheModel_andNothingReachesUpstream() throws Exception {
    HttpResponse<String> r =
        post("{\"model\":\"nope/gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(r.statusCode()).isEqualTo(404);
    JsonNode error = JSON.readTree(r.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("model_not_found");
    assertThat(error.path("message").asText()).contains("'nope/gpt-9'", "GET /v1/models");
    assertThat(upstream.requestCount()).isZero();
  }

  @Test
  void unknownModel_bothDoorsAgree_404ModelNotFoundOverHttp_notFoundOverGrpc() throws Exception {
    HttpResponse<String> r =
        post("{\"model\":\"nope/gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    String httpMessage = JSON.readTree(r.body()).at("/error/message").asText();

    io.grpc.ManagedChannel channel =
        io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", gateway.port())
            .usePlaintext()
            .build();
    try {
      io.grpc.Metadata auth = new io.grpc.Metadata();
      auth.put(
          io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
          "Bearer " + KEY);
      var refused =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              io.grpc.StatusRuntimeException.class,
              () ->
                  dev.providergateway.v1.ProviderServiceGrpc.newBlockingStub(channel)
                      .withInterceptors(
                          io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(auth))
                      .withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
                      .chat(
                          dev.providergateway.testing.Requests.chat("", "hi")
                              .setModel("nope/gpt-9")
                              .build()));
      assertThat(refused.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.NOT_FOUND);
      assertThat(
              dev.providergateway.testing.Statuses.errorInfo(
                      dev.providergateway.testing.Statuses.of(refused))
                  .getReason())
          .isEqualTo("PROVIDER_NOT_FOUND");
      // One resolution, one message: the door adds only where to look the models up.
      assertThat(httpMessage).startsWith(refused.getStatus().getDescription());
      assertThat(refused.getStatus().getDescription()).contains("'nope/gpt-9'");
    } finally {
      channel.shutdownNow();
    }
    assertThat(upstream.requestCount()).isZero();
  }

  @Test
  void missingOrWrongKey_is401_andNothingReachesUpstream() throws Exception {
    HttpRequest noKey =
        HttpRequest.newBuilder(uri("/v1/chat/completions"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"up/m\",\"messages\":[]}"))
            .build();
    HttpResponse<String> r = http.send(noKey, HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(r.body()).at("/error/code").asText())
        .isEqualTo("gateway_unauthenticated");
    assertThat(upstream.requestCount()).isZero();
  }

  @Test
  void models_listsWhatTheKeyMayUse() throws Exception {
    HttpRequest get =
        HttpRequest.newBuilder(uri("/v1/models")).header("Authorization", "Bearer " + KEY).build();
    HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("object").asText()).isEqualTo("list");
    List<String> ids = new ArrayList<>();
    body.path("data").forEach(m -> ids.add(m.path("id").asText()));
    assertThat(ids).contains("up/m");
  }

  @Test
  void unaryClientDisconnects_upstreamConnectionClosedWithin100ms() throws Exception {
    try (Socket socket =
        door.rawPost(
            "{\"model\":\"hang\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
      assertThat(await(() -> upstream.requestCount() == 1, Duration.ofSeconds(10))).isTrue();
      long closed = System.nanoTime();
      socket.close();
      assertUpstreamClosedWithin(closed, Duration.ofMillis(100));
    }
  }

  @Test
  void streamClientDisconnectsAfterFirstChunk_upstreamConnectionClosedWithin100ms()
      throws Exception {
    try (Socket socket =
        door.rawPost(
            "{\"model\":\"hang\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
      String head = readUntil(socket.getInputStream(), "Hel");
      assertThat(head).startsWith("HTTP/1.1 200");
      long closed = System.nanoTime();
      socket.close();
      assertUpstreamClosedWithin(closed, Duration.ofMillis(100));
    }
  }

  @Test
  void slowStreamReader_stopsTheUpstreamRead() throws Exception {
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(16 * 1024);
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.httpPort()));
      send(
          socket,
          "{\"model\":\"flood\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      readUntil(socket.getInputStream(), "xxxx");
      // Stop reading: the gateway must stop asking the upstream for chunks.
      long written = awaitWriterBlocked();
      System.out.printf("upstream wrote %d of %d parts before blocking%n", written, CHUNKS + 2);
      assertThat(written)
          .as("parts the upstream could write to a reader that stopped")
          .isLessThan(CHUNKS / 4);
      long closed = System.nanoTime();
      socket.close();
      assertUpstreamClosedWithin(closed, Duration.ofMillis(500));
    }
  }

  // ---- helpers

  private URI uri(String path) {
    return door.uri(path);
  }

  private HttpResponse<String> post(String body) throws Exception {
    return door.post("/v1/chat/completions", body);
  }

  private void assertUpstreamClosedWithin(long since, Duration within) throws Exception {
    assertThat(
            await(
                () -> upstream.connections().stream().noneMatch(Connection::open),
                Duration.ofSeconds(5)))
        .as("upstream connections still open: %s", upstream.connections())
        .isTrue();
    for (Connection c : upstream.connections()) {
      assertThat(c.closedBy()).isEqualTo(Side.CLIENT);
      assertThat(Duration.ofNanos(c.closedNanos() - since)).isLessThanOrEqualTo(within);
    }
  }

  private long awaitWriterBlocked() throws InterruptedException {
    long last = -1;
    long now = upstream.partsWritten();
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (now != last && System.nanoTime() < deadline) {
      last = now;
      Thread.sleep(300);
      now = upstream.partsWritten();
    }
    assertThat(now).as("the upstream's writes stopped").isEqualTo(last);
    return now;
  }
}
