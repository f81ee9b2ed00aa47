package dev.providergateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.config.LoggingConfig;
import dev.providergateway.config.MetricsConfig;
import dev.providergateway.config.TracingConfig;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.ProviderServiceGrpc;
import dev.providergateway.v1.StreamChunk;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A caller that hangs up between a stream's final chunk and its trailers (a client library closing
 * the stream as soon as it read the final chunk, a Go context cancelled on return) got the whole
 * answer: the call is recorded OK. A caller that hangs up before the final chunk is CANCELLED.
 * Through the real Netty server and client, with the production interceptor and tracers; the
 * service holds its close until the caller's cancel has been recorded, so the race is decided the
 * same way on every run.
 */
class StreamEndRaceTest {
  private final Telemetry telemetry =
      Telemetry.create(
          new MetricsConfig(true, "127.0.0.1", 0, "/metrics"),
          TracingConfig.defaults(),
          new LoggingConfig(LoggingConfig.Format.TEXT, LoggingConfig.Level.INFO, false),
          null);
  private Server server;
  private ManagedChannel channel;

  /**
   * Serves one chunk ({@code finalChunk}: the final one, else a delta), then waits for the caller
   * to cancel.
   */
  private void serve(boolean finalChunk) throws Exception {
    var service =
        new ProviderServiceGrpc.ProviderServiceImplBase() {
          @Override
          public void stream(ChatRequest request, StreamObserver<StreamChunk> observer) {
            var call = (ServerCallStreamObserver<StreamChunk>) observer;
            call.setOnCancelHandler(() -> {});
            call.onNext(
                StreamChunk.newBuilder().setContent("whole").setIsFinal(finalChunk).build());
            // The close comes only after the caller's cancel was recorded (the serial executor
            // must be free to deliver it): the race lost on every run.
            new Thread(
                    () -> {
                      awaitRecorded();
                      try {
                        call.onCompleted();
                      } catch (RuntimeException cancelled) {
                        // grpc-java may refuse a close after the cancel; nothing to close then.
                      }
                    })
                .start();
          }
        };
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ServerInterceptors.intercept(service, telemetry.interceptor()))
            .addStreamTracerFactory(StreamOutcome.tracers())
            .build()
            .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void callerHangsUpAfterTheFinalChunk_beforeTheTrailers_callIsRecordedOk() throws Exception {
    serve(true);
    readOneChunkThenHangUp();
    assertThat(streams("OK")).isEqualTo(1);
    assertThat(streams("CANCELLED")).isZero();
  }

  @Test
  void callerHangsUpBeforeTheFinalChunk_callIsRecordedCancelled() throws Exception {
    serve(false);
    readOneChunkThenHangUp();
    assertThat(streams("CANCELLED")).isEqualTo(1);
    assertThat(streams("OK")).isZero();
  }

  private void readOneChunkThenHangUp() throws Exception {
    Context.CancellableContext context = Context.current().withCancellation();
    StreamChunk first =
        context.call(
            () -> {
              Iterator<StreamChunk> chunks =
                  ProviderServiceGrpc.newBlockingStub(channel).stream(
                      ChatRequest.newBuilder().setModel("m").build());
              return chunks.next();
            });
    assertThat(first.getContent()).isEqualTo("whole");
    context.cancel(null);
    awaitRecorded();
    assertThat(telemetry.awaitRecorded(Duration.ofSeconds(20))).isTrue();
  }

  /** Waits (at most 20 s) until the Stream call has been counted under some status. */
  private void awaitRecorded() {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (streams("OK") + streams("CANCELLED") == 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The Stream calls counted under {@code code}. */
  private double streams(String code) {
    Matcher m =
        Pattern.compile(
                "gateway_requests_total\\{[^}]*rpc_grpc_status_code=\""
                    + code
                    + "\"[^}]*rpc_method=\"Stream\"[^}]*} (\\S+)")
            .matcher(telemetry.scrape().orElseThrow());
    double total = 0;
    while (m.find()) {
      total += Double.parseDouble(m.group(1));
    }
    return total;
  }
}
