package dev.providergateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.providergateway.auth.ApiKeyAuthenticator;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.RecordedRequest;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.server.GatewayServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The door tests' shared setup: a tracked fake upstream answering with {@code responder}, the real
 * production gateway (Netty, the HTTP door on an ephemeral port) configured by a YAML template
 * whose two {@code %s} are the upstream's base URI and the test key's SHA-256, a JDK HTTP/1.1
 * client, and the raw-socket helpers for tests that must stop reading or hang up. Close it after
 * each test.
 */
final class DoorFixture implements AutoCloseable {
  static final String KEY = "sk-door-test";
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The template of most door tests: one OpenAI-compatible upstream {@code up} (default model
   * {@code m}), bodies up to 64 KiB, the test key, no retries and long stall timeouts.
   */
  static final String ONE_UPSTREAM =
      """
      server: {host: 127.0.0.1, port: 0, shutdown_grace: 1s}
      limits: {max_request_bytes: 65536}
      providers:
        - name: up
          type: openai
          base_url: %s/v1
          api_key: k
          default_model: m
      default_provider: up
      resilience: {first_token_timeout: 60s, idle_timeout: 60s, max_retries: 0}
      auth:
        keys:
          - {id: tester, key_sha256: %s}
      """;

  final FakeUpstream upstream;
  final GatewayServer gateway;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  DoorFixture(Function<RecordedRequest, Response> responder, String yamlTemplate) {
    upstream = FakeUpstream.startTracked().otherwise(responder);
    try {
      gateway =
          GatewayServer.netty(
                  ConfigLoader.parse(
                      yamlTemplate.formatted(
                          upstream.baseUri(), ApiKeyAuthenticator.sha256Hex(KEY)),
                      Map.of()),
                  Map.of(),
                  Clock.systemUTC())
              .start();
    } catch (java.io.IOException e) {
      upstream.close();
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    gateway.shutdown();
    upstream.close();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + gateway.httpPort() + path);
  }

  /** POSTs {@code body} as JSON to {@code path} with the test key. */
  HttpResponse<String> post(String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(uri(path))
            .header("Authorization", "Bearer " + KEY)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** A raw HTTP/1.1 connection that has sent a chat completion request with {@code body}. */
  Socket rawPost(String body) throws Exception {
    Socket socket = new Socket("127.0.0.1", gateway.httpPort());
    send(socket, body);
    return socket;
  }

  /** Writes one keep-alive chat completion request with {@code body} on {@code socket}. */
  static void send(Socket socket, String body) throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "
                + KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
  }

  /** Reads until {@code marker} has been seen (asserting it was, within 20 s). */
  static String readUntil(InputStream in, String marker) throws Exception {
    StringBuilder seen = new StringBuilder();
    byte[] buf = new byte[4096];
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (seen.indexOf(marker) < 0 && System.nanoTime() < deadline) {
      int n = in.read(buf);
      if (n < 0) {
        break;
      }
      seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
    }
    assertThat(seen.toString()).contains(marker);
    return seen.toString();
  }

  /** Reads until the peer closes the connection (at most 20 s). */
  static String readToEnd(InputStream in) throws Exception {
    StringBuilder seen = new StringBuilder();
    byte[] buf = new byte[4096];
    int n;
    while ((n = in.read(buf)) >= 0) {
      seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
    }
    return seen.toString();
  }

  static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  /** One OpenAI streaming chunk carrying {@code content}, as an SSE event. */
  static String chunk(String content) {
    return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + content
        + "\"},\"finish_reason\":null}]}\n\n";
  }

  /** OpenAI's final streaming chunk with usage, as an SSE event. */
  static String finish() {
    return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
        + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}\n\n";
  }

  /** An OpenAI chat completion body answering {@code content}. */
  static String completion(String content) {
    return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\""
        + content
        + "\"},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}";
  }
}
