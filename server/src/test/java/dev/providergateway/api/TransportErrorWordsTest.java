package dev.providergateway.api;

import static dev.providergateway.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.testing.TestGateway;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Transport failures reach the caller in words: no Java class name is part of a message. */
class TransportErrorWordsTest {
  // A qualified class name (io.netty.channel.AbstractChannel$AnnotatedConnectException) or an
  // exception's simple name.
  private static final Pattern CLASS_NAME =
      Pattern.compile("([a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*|\\$|[A-Z]\\w*(Exception|Error)\\b");

  @Test
  void chat_upstreamRefusesConnections_saysSoWithoutClassNames() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }

    StatusRuntimeException e = call("http://127.0.0.1:" + port + "/v1");

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).startsWith("cannot connect to local");
    assertThat(e.getStatus().getDescription()).doesNotContainPattern(CLASS_NAME);
  }

  @Test
  void chat_upstreamSendsGarbage_saysSoWithoutClassNames() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                try (Socket s = server.accept()) {
                  s.getInputStream().read(new byte[4096]);
                  OutputStream out = s.getOutputStream();
                  out.write(
                      ("HTTP/1.1 200 OK\r\nContent-Length: x" + "y".repeat(70_000) + "\r\n\r\n")
                          .getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                  Thread.sleep(2000);
                } catch (Exception ignored) {
                  // the test asserts on what the gateway reports
                }
              });
      t.setDaemon(true);
      t.start();

      StatusRuntimeException e = call("http://127.0.0.1:" + server.getLocalPort() + "/v1");

      assertThat(e.getStatus().getCode()).isNotEqualTo(Status.Code.OK);
      assertThat(e.getStatus().getDescription()).startsWith("local");
      assertThat(e.getStatus().getDescription()).doesNotContainPattern(CLASS_NAME);
    }
  }

  private static StatusRuntimeException call(String base) throws Exception {
    try (TestGateway gateway =
        new TestGateway(
            ConfigLoader.parse(
                """
                providers:
                  - {name: local, type: openai, base_url: "%s", api_key: test-key-123456}
                """
                    .formatted(base),
                Map.of()))) {
      return catchThrowableOfType(
          StatusRuntimeException.class,
          () -> gateway.blocking().chat(chat("local", "hi").setModel("m").build()));
    }
  }
}
