package dev.providergateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.ErrorInfo;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.observability.TextLogFormatter;
import dev.providergateway.server.GatewayServer;
import dev.providergateway.testing.Statuses;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Requests that are not valid protobuf, sent as raw bytes to the real Netty server. */
class MalformedRequestTest {
  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private final Handler handler = new StreamHandler(log, new TextLogFormatter());
  private GatewayServer gateway;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    Logger.getLogger("").addHandler(handler);
    gateway =
        GatewayServer.netty(
                ConfigLoader.parse("server: {host: 127.0.0.1, port: 0}\n", Map.of()),
                Map.of(),
                Clock.systemUTC())
            .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    gateway.shutdown();
    Logger.getLogger("").removeHandler(handler);
  }

  @Test
  void chat_garbageBytes_invalidArgumentWithOneShortLogLine() throws Exception {
    // Field 1 (provider, a string) with a length running past the end: not a protobuf message.
    byte[] garbage = {0x0a, (byte) 0xff, 0x7f, 0x01, 0x02};

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> call("Chat", garbage));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .contains("providergateway.v1.ChatRequest")
        .doesNotContain("Exception");
    ErrorInfo info = Statuses.errorInfo(Statuses.of(e));
    assertThat(info.getReason()).isEqualTo("INVALID_REQUEST");
    String logged = awaitLog("dev.providergateway.access");
    assertThat(accessLine(logged)).contains("INVALID_ARGUMENT");
    assertThat(logged).doesNotContain("\tat ").doesNotContain("Application error processing RPC");
  }

  @Test
  void stream_garbageBytes_invalidArgument() {
    byte[] garbage = "not a protobuf at all \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingServerStreamingCall(
                        channel,
                        method("Stream", MethodDescriptor.MethodType.SERVER_STREAMING),
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                        garbage)
                    .forEachRemaining(b -> {}));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void chat_messageOverTheSizeLimit_accessLogRecordsWhatTheClientGot() throws Exception {
    byte[] huge = new byte[17 * 1024 * 1024];

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> call("Chat", huge));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    String access = accessLine(awaitLog("dev.providergateway.access"));
    assertThat(access).contains("RESOURCE_EXHAUSTED").doesNotContain("CANCELLED");
  }

  @Test
  void chat_emptyMessage_isAValidEmptyRequestNotMalformed() {
    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> call("Chat", new byte[0]));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).doesNotContain("protobuf message");
  }

  private byte[] call(String name, byte[] body) {
    return ClientCalls.blockingUnaryCall(
        channel,
        method(name, MethodDescriptor.MethodType.UNARY),
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        body);
  }

  private static MethodDescriptor<byte[], byte[]> method(
      String name, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(type)
        .setFullMethodName("providergateway.v1.ProviderService/" + name)
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
  }

  private static String accessLine(String logged) {
    return logged
        .lines()
        .filter(l -> l.contains("dev.providergateway.access"))
        .findFirst()
        .orElse("");
  }

  private String awaitLog(String text) throws InterruptedException {
    String logged = "";
    for (long end = System.nanoTime() + 5_000_000_000L;
        !logged.contains(text) && System.nanoTime() < end; ) {
      Thread.sleep(10);
      handler.flush();
      logged = log.toString(StandardCharsets.UTF_8);
    }
    return logged;
  }
}
