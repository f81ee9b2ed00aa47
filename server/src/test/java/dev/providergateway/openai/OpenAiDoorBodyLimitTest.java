package dev.providergateway.openai;

import static dev.providergateway.openai.DoorFixture.JSON;
import static dev.providergateway.openai.DoorFixture.KEY;
import static dev.providergateway.openai.DoorFixture.completion;
import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.testing.FakeUpstream.Response;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requests the door refuses before reading them whole. A body over {@code
 * limits.max_request_bytes}: the caller always reads the 413 naming the limit, whichever way the
 * body came (whole, still being sent, announced with {@code Expect: 100-continue}, over HTTP/2),
 * nothing reaches the upstream, and the connection is closed only after the rest of the body was
 * read and dropped, or after the linger time. Headers or a request line over the door's limits, and
 * an unparsable message: 431, 414 and 400 in OpenAI's error shape, naming what was wrong, read by
 * the caller even while it is still sending.
 */
class OpenAiDoorBodyLimitTest {
  private static final int LIMIT = 65_536;
  private static final int BIG = 8 * 1024 * 1024;

  private final DoorFixture door =
      new DoorFixture(r -> Response.json(200, completion("fine")), DoorFixture.ONE_UPSTREAM);

  @AfterEach
  void stop() {
    door.close();
  }

  @Test
  void jdkClient_manyOversizedBodies_eachGets413NamingTheLimit() throws Exception {
    String body = chat("y".repeat(2 * 1024 * 1024));
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = door.post("/v1/chat/completions", body);
      assertThat(r.statusCode()).as("call %d", i).isEqualTo(413);
      assertNamesTheLimit(r.body());
    }
    assertThat(door.upstream.requestCount()).isZero();
  }

  @Test
  void bodyStillBeingSent_callerReadsThe413_gatewayReadsTheRestThenCloses() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(head(BIG, false));
      out.flush();
      // The body goes out while the answer comes back: every byte must be accepted (no reset).
      CompletableFuture<Void> sent = sendInBackground(out, BIG);
      InputStream in = socket.getInputStream();
      Answer answer = Answer.read(in);
      assertThat(answer.status).isEqualTo(413);
      assertThat(answer.head).containsIgnoringCase("connection: close");
      assertNamesTheLimit(answer.body);
      sent.get(20, TimeUnit.SECONDS);
      long bodySent = System.nanoTime();
      assertThat(in.read()).as("the gateway closes once the body has arrived").isEqualTo(-1);
      // Well before the linger time would have closed it (2 s after the answer).
      assertThat(Duration.ofNanos(System.nanoTime() - bodySent))
          .isLessThan(BoundedAggregator.LINGER.dividedBy(2));
    }
    assertThat(door.upstream.requestCount()).isZero();
  }

  @Test
  void bodyNeverFinished_connectionClosesAfterTheLingerTime() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(head(BIG, false));
      out.write(new byte[100_000]);
      out.flush();
      InputStream in = socket.getInputStream();
      Answer answer = Answer.read(in);
      long answered = System.nanoTime();
      assertThat(answer.status).isEqualTo(413);
      assertThat(in.read()).as("closed by the gateway").isEqualTo(-1);
      Duration open = Duration.ofNanos(System.nanoTime() - answered);
      assertThat(open)
          .isGreaterThan(BoundedAggregator.LINGER.minusMillis(500))
          .isLessThan(BoundedAggregator.LINGER.plusSeconds(3));
    }
  }

  @Test
  void expect100Continue_gets413InsteadOf100_andTheConnectionServesTheNextCall() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(head(BIG, true));
      out.flush();
      InputStream in = socket.getInputStream();
      Answer refused = Answer.read(in);
      assertThat(refused.status).isEqualTo(413);
      assertNamesTheLimit(refused.body);

      DoorFixture.send(socket, chat("hi"));
      Answer served = Answer.read(in);
      assertThat(served.status).isEqualTo(200);
      assertThat(JSON.readTree(served.body).at("/choices/0/message/content").asText())
          .isEqualTo("fine");
    }
    assertThat(door.upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void http2Stream_oversizedBody_gets413_andTheConnectionServesTheNextCall() throws Exception {
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    // The JDK client upgrades to h2c on its first request; the rest go as HTTP/2 streams.
    HttpResponse<String> models =
        h2.send(
            HttpRequest.newBuilder(door.uri("/v1/models"))
                .header("Authorization", "Bearer " + KEY)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(models.statusCode()).isEqualTo(200);

    HttpResponse<String> refused = h2.send(post(chat("y".repeat(LIMIT * 4))), ofString());
    assertThat(refused.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(refused.statusCode()).isEqualTo(413);
    assertNamesTheLimit(refused.body());

    HttpResponse<String> served = h2.send(post(chat("hi")), ofString());
    assertThat(served.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(door.upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void headersOverTheLimit_get431NamingIt_evenWhileTheCallerKeepsSending() throws Exception {
    String head =
        "GET /v1/models HTTP/1.1\r\nHost: gw\r\nX-Big: "
            + "a".repeat(OpenAiDoor.MAX_HEADER_BYTES + 10)
            + "\r\n\r\n";
    Answer answer = refusedWhileSending(head, 4 * 1024 * 1024);
    assertThat(answer.status).isEqualTo(431);
    assertRefusal(answer.body, "request_header_fields_too_large", "65536");
  }

  @Test
  void requestLineOverTheLimit_gets414NamingIt() throws Exception {
    String head =
        "GET /v1/models?q="
            + "a".repeat(OpenAiDoor.MAX_LINE_BYTES)
            + " HTTP/1.1\r\nHost: gw\r\n\r\n";
    Answer answer = refusedWhileSending(head, 0);
    assertThat(answer.status).isEqualTo(414);
    assertRefusal(answer.body, "uri_too_long", "8192");
  }

  @Test
  void unparsableChunkedBody_gets400_withoutQuotingTheCallersBytes() throws Exception {
    String head =
        "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "
            + KEY
            + "\r\nTransfer-Encoding: chunked\r\n\r\nnot-a-size-<script>\r\n";
    Answer answer = refusedWhileSending(head, 0);
    assertThat(answer.status).isEqualTo(400);
    assertRefusal(answer.body, "invalid_http", "could not be parsed");
    assertThat(answer.body).doesNotContain("script");
    assertThat(door.upstream.requestCount()).isZero();
  }

  // ---- helpers

  /** A raw connection to the door, whose reads give up after 20 s. */
  private Socket connect() throws Exception {
    Socket socket = new Socket("127.0.0.1", door.gateway.httpPort());
    socket.setSoTimeout(20_000);
    return socket;
  }

  private static HttpResponse.BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString();
  }

  private HttpRequest post(String body) {
    return HttpRequest.newBuilder(door.uri("/v1/chat/completions"))
        .header("Authorization", "Bearer " + KEY)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static String chat(String content) {
    return "{\"model\":\"up/m\",\"messages\":[{\"role\":\"user\",\"content\":\""
        + content
        + "\"}]}";
  }

  private static byte[] head(int contentLength, boolean expectContinue) {
    return ("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "
            + KEY
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + contentLength
            + (expectContinue ? "\r\nExpect: 100-continue" : "")
            + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Sends {@code head}, then {@code extra} more bytes while the answer comes back, and returns the
   * answer; asserts the door closes the connection within the linger time after it.
   */
  private Answer refusedWhileSending(String head, int extra) throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      // The door stops reading at the end of the linger time: the tail may be refused.
      CompletableFuture<Void> sent = sendInBackground(out, extra).exceptionally(cut -> null);
      InputStream in = socket.getInputStream();
      Answer answer = Answer.read(in);
      long answered = System.nanoTime();
      assertThat(answer.head).containsIgnoringCase("connection: close");
      assertThat(in.read()).as("closed by the door").isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - answered))
          .isLessThan(BoundedAggregator.LINGER.plusSeconds(3));
      sent.get(20, TimeUnit.SECONDS);
      return answer;
    }
  }

  /** Writes {@code bytes} filler bytes to {@code out} on another thread. */
  private static CompletableFuture<Void> sendInBackground(OutputStream out, int bytes) {
    return CompletableFuture.runAsync(
        () -> {
          byte[] piece = new byte[64 * 1024];
          Arrays.fill(piece, (byte) 'y');
          try {
            for (int n = 0; n < bytes; n += piece.length) {
              out.write(piece, 0, Math.min(piece.length, bytes - n));
            }
            out.flush();
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  private static void assertRefusal(String body, String code, String named) throws Exception {
    assertThat(JSON.readTree(body).at("/error/code").asText()).isEqualTo(code);
    assertThat(JSON.readTree(body).at("/error/message").asText()).contains(named);
  }

  private static void assertNamesTheLimit(String body) throws Exception {
    assertThat(JSON.readTree(body).at("/error/message").asText())
        .contains("limits.max_request_bytes", Integer.toString(LIMIT));
    assertThat(JSON.readTree(body).at("/error/code").asText()).isEqualTo("request_too_large");
  }

  /** One HTTP/1.1 answer read off a raw socket: status line and headers, then its sized body. */
  private record Answer(int status, String head, String body) {
    static Answer read(InputStream in) throws Exception {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        assertThat(b).as("answer ended inside its head: %s", head).isNotNegative();
        head.write(b);
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      int length = 0;
      for (String line : text.split("\r\n")) {
        if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      byte[] body = in.readNBytes(length);
      assertThat(body).hasSize(length);
      return new Answer(
          Integer.parseInt(text.substring(9, 12)), text, new String(body, StandardCharsets.UTF_8));
    }
  }
}
