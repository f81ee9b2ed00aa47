package dev.providergateway.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.http.TestStreams.CancelAfterFirst;
import dev.providergateway.provider.http.TestStreams.LineEvents;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.TestTransport;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upstream HTTP client's own behaviour on real sockets: keep-alive reuse, the request it
 * writes, a kept-alive connection closed by the upstream, malformed responses, the header timeout
 * and TLS verification. The provider contract suite covers the rest through providers.
 */
class UpstreamHttpTest {
  private static final Origin ORIGIN = new Origin("up", "m", 0);
  private static final CallContext CONTEXT = new CallContext("req-7", null);

  private final UpstreamHttp http =
      new UpstreamHttp(
          TestTransport.get(),
          Duration.ofSeconds(2),
          Duration.ofSeconds(5),
          Clock.systemUTC(),
          t -> t);
  private final List<AutoCloseable> closers = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    http.close();
    for (AutoCloseable c : closers) {
      c.close();
    }
  }

  @Test
  void postJson_sequentialCalls_reuseOneKeptAliveConnection() throws Exception {
    FakeUpstream up = FakeUpstream.startTracked();
    closers.add(up);
    for (int i = 0; i < 5; i++) {
      up.enqueue(Response.json(200, "{\"n\":" + i + "}"));
      JsonNode json =
          http.postJson(up.baseUri().resolve("/v1/x"), Map.of(), Map.of("i", i), ORIGIN, CONTEXT)
              .get(5, TimeUnit.SECONDS);
      assertThat(json.path("n").asInt()).isEqualTo(i);
    }
    assertThat(up.connections()).hasSize(1);
    assertThat(up.connections().get(0).requests()).isEqualTo(5);
  }

  @Test
  void postJson_writesHostLengthTypeAndRequestIdHeaders() throws Exception {
    FakeUpstream up = FakeUpstream.start();
    closers.add(up);
    up.enqueue(Response.json(200, "{}"));
    URI uri = up.baseUri().resolve("/v1/chat?api-version=2");
    http.postJson(uri, Map.of("authorization", "Bearer k"), Map.of("a", "é"), ORIGIN, CONTEXT)
        .get(5, TimeUnit.SECONDS);

    FakeUpstream.RecordedRequest r = up.takeRequest();
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/v1/chat");
    assertThat(r.query()).isEqualTo("api-version=2");
    assertThat(r.header("host")).isEqualTo("127.0.0.1:" + uri.getPort());
    assertThat(r.header("content-type")).isEqualTo("application/json");
    assertThat(r.header("content-length"))
        .isEqualTo(Integer.toString("{\"a\":\"é\"}".getBytes(StandardCharsets.UTF_8).length));
    assertThat(r.header("x-request-id")).isEqualTo("req-7");
    assertThat(r.header("authorization")).isEqualTo("Bearer k");
    assertThat(r.json().path("a").asText()).isEqualTo("é");
  }

  @Test
  void postJson_keptAliveConnectionClosedAsRequestArrives_sentOnceMoreOnAFreshConnection()
      throws Exception {
    // Connection 1 answers one request, then reads the next one and closes without a byte, as a
    // server does whose idle timeout fired just as the request went out. Connection 2 answers.
    AtomicInteger requests = new AtomicInteger();
    RawServer server =
        RawServer.start(
            (conn, in) -> {
              if (conn.number() == 1) {
                RawServer.readRequest(in);
                requests.incrementAndGet();
                RawServer.answer(conn, "{\"on\":1}");
                RawServer.readRequest(in);
                requests.incrementAndGet();
              } else {
                RawServer.readRequest(in);
                requests.incrementAndGet();
                RawServer.answer(conn, "{\"on\":" + conn.number() + "}");
              }
            });
    closers.add(server);
    assertThat(
            http.postJson(server.uri(), Map.of(), Map.of(), ORIGIN, CONTEXT)
                .get(5, TimeUnit.SECONDS)
                .path("on")
                .asInt())
        .isEqualTo(1);
    JsonNode second =
        http.postJson(server.uri(), Map.of(), Map.of(), ORIGIN, CONTEXT).get(5, TimeUnit.SECONDS);

    assertThat(second.path("on").asInt()).isEqualTo(2);
    assertThat(requests.get()).isEqualTo(3);
  }

  @Test
  void postJson_keptAliveConnectionResetAsRequestArrives_sentOnceMoreOnAFreshConnection()
      throws Exception {
    AtomicInteger requests = new AtomicInteger();
    RawServer server =
        RawServer.start(
            (conn, in) -> {
              RawServer.readRequest(in);
              requests.incrementAndGet();
              if (conn.number() == 1) {
                RawServer.answer(conn, "{\"on\":1}");
                RawServer.readRequest(in);
                requests.incrementAndGet();
                conn.socket().setSoLinger(true, 0); // close with a TCP reset
              } else {
                RawServer.answer(conn, "{\"on\":" + conn.number() + "}");
              }
            });
    closers.add(server);
    http.postJson(server.uri(), Map.of(), Map.of(), ORIGIN, CONTEXT).get(5, TimeUnit.SECONDS);
    JsonNode second =
        http.postJson(server.uri(), Map.of(), Map.of(), ORIGIN, CONTEXT).get(5, TimeUnit.SECONDS);

    assertThat(second.path("on").asInt()).isEqualTo(2);
    assertThat(requests.get()).isEqualTo(3);
  }

  @Test
  void postJson_everyKeptAliveConnectionClosedAsRequestsArrive_sentOnAFreshOneWithoutFailing()
      throws Exception {
    // Connections 1-4 answer one request each, then read the next one and close without a byte:
    // the upstream dropped all its idle connections at once (an idle timeout, a restart). A
    // call must walk past every stale pooled connection to a fresh one instead of failing after
    // the first resend (which the gateway would retry after a 2 s backoff).
    AtomicInteger requests = new AtomicInteger();
    RawServer server =
        RawServer.start(
            (conn, in) -> {
              RawServer.readRequest(in);
              requests.incrementAndGet();
              if (conn.number() <= 4) {
                RawServer.answer(conn, "{\"on\":" + conn.number() + "}");
                RawServer.readRequest(in);
                requests.incrementAndGet();
              } else {
                RawServer.answer(conn, "{\"on\":" + conn.number() + "}");
              }
            });
    closers.add(server);
    List<CompletableFuture<JsonNode>> warm = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      warm.add(http.postJson(server.uri(), Map.of(), Map.of(), ORIGIN, CONTEXT));
    }
    for (CompletableFuture<JsonNode> f : warm) {
      f.get(5, TimeUnit.SECONDS);
    }

    for (int i = 0; i < 4; i++) {
      JsonNode next =
          http.postJson(server.uri(), Map.of(), Map.of(), ORIGIN, CONTEXT).get(5, TimeUnit.SECONDS);
      assertThat(next.path("on").asInt()).isGreaterThan(4);
    }
  }

  @Test
  void postJson_freshConnectionClosedWithoutAnswer_connectionErrorWithoutResending() {
    AtomicInteger requests = new AtomicInteger();
    RawServer server =
        RawServer.start(
            (conn, in) -> {
              RawServer.readRequest(in);
              requests.incrementAndGet();
            });
    closers.add(server);

    assertThatThrownBy(
            () ->
                http.postJson(server.uri(), Map.of(), Map.of(), ORIGIN, CONTEXT)
                    .get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(ProviderException.Connection.class)
        .hasMessageContaining("closed the connection before the response arrived");
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void postJson_closedInsideTheResponseHead_connectionError() {
    RawServer server =
        RawServer.start(
            (conn, in) -> {
              RawServer.readRequest(in);
              RawServer.write(conn, "HTTP/1.1 200 OK\r\nContent-Ty");
            });
    closers.add(server);

    assertThatThrownBy(
            () ->
                http.postJson(server.uri(), Map.of(), Map.of(), ORIGIN, CONTEXT)
                    .get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ProviderException.Connection.class)
        .hasMessageContaining("up closed the connection before the response arrived");
  }

  @Test
  void postJson_informationalResponseFirst_skippedForTheRealOne() throws Exception {
    RawServer server =
        RawServer.start(
            (conn, in) -> {
              RawServer.readRequest(in);
              RawServer.write(conn, "HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n");
              RawServer.answer(conn, "{\"ok\":true}");
            });
    closers.add(server);

    JsonNode json =
        http.postJson(server.uri(), Map.of(), Map.of(), ORIGIN, CONTEXT).get(5, TimeUnit.SECONDS);
    assertThat(json.path("ok").asBoolean()).isTrue();
  }

  @Test
  void postJson_garbageInsteadOfHttp_invalidResponse() {
    RawServer server =
        RawServer.start(
            (conn, in) -> {
              RawServer.readRequest(in);
              RawServer.write(conn, "HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n{}");
            });
    closers.add(server);

    assertThatThrownBy(
            () ->
                http.postJson(server.uri(), Map.of(), Map.of(), ORIGIN, CONTEXT)
                    .get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ProviderException.InvalidResponse.class)
        .hasMessageContaining("up sent a malformed HTTP response");
  }

  @Test
  void postJson_noResponseHeadersInTime_timeoutAndConnectionClosed() throws Exception {
    CompletableFuture<Boolean> closedByClient = new CompletableFuture<>();
    RawServer server =
        RawServer.start(
            (conn, in) -> {
              RawServer.readRequest(in);
              closedByClient.complete(in.read() == -1);
            });
    closers.add(server);
    UpstreamHttp impatient =
        new UpstreamHttp(
            TestTransport.get(),
            Duration.ofSeconds(2),
            Duration.ofMillis(300),
            Clock.systemUTC(),
            t -> t);
    closers.add(impatient);

    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                impatient
                    .postJson(server.uri(), Map.of(), Map.of(), ORIGIN, CONTEXT)
                    .get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ProviderException.Timeout.class)
        .hasMessageContaining("up did not answer in time");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
    assertThat(closedByClient.get(5, TimeUnit.SECONDS))
        .as("the client closed the connection")
        .isTrue();
  }

  @Test
  void postJson_certificateNotTrusted_tlsConnectionError(@TempDir Path dir) throws Exception {
    Path keystore = dir.resolve("self-signed.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "up",
                "-keyalg",
                "EC",
                "-dname",
                "CN=127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                "secret",
                "-keypass",
                "secret")
            .redirectErrorStream(true)
            .start();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue())
        .as(new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isZero();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, "secret".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "secret".toCharArray());
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    SSLServerSocket socket =
        (SSLServerSocket)
            ssl.getServerSocketFactory()
                .createServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    closers.add(socket);
    Thread acceptor =
        new Thread(
            () -> {
              try (Socket s = socket.accept()) {
                s.getInputStream().read(); // drives the handshake, which the client aborts
              } catch (IOException expected) {
                // The client rejects the certificate.
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();

    URI uri = URI.create("https://127.0.0.1:" + socket.getLocalPort() + "/v1/x");
    assertThatThrownBy(
            () -> http.postJson(uri, Map.of(), Map.of(), ORIGIN, CONTEXT).get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ProviderException.Connection.class)
        .hasMessageContaining("TLS failure with up");
  }

  @Test
  void postStream_manyCancelsMidStreamThenNewCalls_noCallFailsOrWaits() throws Exception {
    // Each cycle cancels a stream mid-body (its connection must be closed, not pooled) while the
    // upstream idles out other kept-alive connections; the next calls must never meet a dead
    // pooled connection, so none fails and none is slow (no retry, no backoff, no timeout).
    FakeUpstream up = FakeUpstream.startTracked();
    closers.add(up);
    up.otherwise(
        r ->
            r.path().endsWith("/stream")
                ? Response.ndjson(List.of("{\"t\":\"a\"}", "{\"t\":\"b\"}")).thenHang("\n")
                : Response.json(200, "{\"ok\":true}"));
    URI stream = up.baseUri().resolve("/v1/stream");
    URI json = up.baseUri().resolve("/v1/json");
    for (int i = 0; i < 20; i++) {
      List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        calls.add(http.postJson(json, Map.of(), Map.of("i", i), ORIGIN, CONTEXT));
      }
      CancelAfterFirst first = new CancelAfterFirst();
      http.postStream(stream, Map.of(), Map.of("i", i), ORIGIN, CONTEXT, LineEvents::new)
          .subscribe(first);
      assertThat(first.seen.get(5, TimeUnit.SECONDS)).isTrue();
      for (CompletableFuture<JsonNode> call : calls) {
        assertThat(call.get(5, TimeUnit.SECONDS).path("ok").asBoolean()).isTrue();
      }
      if (i % 5 == 4) {
        // The upstream drops every idle kept-alive connection at once, as a server's idle
        // timeout or a restart does.
        up.closeIdleConnections();
      }
      long started = System.nanoTime();
      JsonNode after =
          http.postJson(json, Map.of(), Map.of(), ORIGIN, CONTEXT).get(5, TimeUnit.SECONDS);
      assertThat(after.path("ok").asBoolean()).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    }
  }

  /**
   * A loopback HTTP server scripted per connection at the byte level, for what {@link FakeUpstream}
   * cannot do wrong on purpose. Connections are numbered from 1.
   */
  private static final class RawServer implements AutoCloseable {
    private final ServerSocket socket;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private RawServer(ServerSocket socket) {
      this.socket = socket;
    }

    static RawServer start(BiConsumerIo script) {
      try {
        ServerSocket ss = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        RawServer server = new RawServer(ss);
        Thread t =
            new Thread(
                () -> {
                  int n = 0;
                  while (!ss.isClosed()) {
                    try {
                      Socket s = ss.accept();
                      server.open.add(s);
                      int number = ++n;
                      Thread c =
                          new Thread(
                              () -> {
                                try (s) {
                                  script.accept(
                                      new Conn(number, s.getOutputStream(), s), s.getInputStream());
                                } catch (IOException e) {
                                  // The client went away.
                                }
                              });
                      c.setDaemon(true);
                      c.start();
                    } catch (IOException e) {
                      return;
                    }
                  }
                });
        t.setDaemon(true);
        t.start();
        return server;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/v1/x");
    }

    /** Reads one request (head and content-length body). */
    static void readRequest(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1) {
        head.write(b);
        String text = head.toString(StandardCharsets.ISO_8859_1);
        if (text.endsWith("\r\n\r\n")) {
          int length = 0;
          for (String line :
              new BufferedReader(
                      new InputStreamReader(
                          new java.io.ByteArrayInputStream(head.toByteArray()),
                          StandardCharsets.ISO_8859_1))
                  .lines()
                  .toList()) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
              length = Integer.parseInt(line.substring(15).trim());
            }
          }
          in.readNBytes(length);
          return;
        }
      }
      throw new IOException("the client closed the connection");
    }

    static void answer(Conn conn, String json) throws IOException {
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      write(
          conn,
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
              + body.length
              + "\r\n\r\n"
              + json);
    }

    static void write(Conn conn, String text) throws IOException {
      conn.out().write(text.getBytes(StandardCharsets.UTF_8));
      conn.out().flush();
    }

    @Override
    public void close() throws IOException {
      socket.close();
      for (Socket s : open) {
        s.close();
      }
    }
  }

  /** One scripted connection: its number (from 1), output stream and socket. */
  private record Conn(int number, OutputStream out, Socket socket) {}

  /** A per-connection script that may throw I/O errors. */
  @FunctionalInterface
  private interface BiConsumerIo {
    void accept(Conn conn, InputStream in) throws IOException;
  }
}
