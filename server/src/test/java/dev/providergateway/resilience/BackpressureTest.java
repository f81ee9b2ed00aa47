package dev.providergateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Connection;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.FakeUpstream.Side;
import dev.providergateway.server.GatewayServer;
import dev.providergateway.testing.Requests;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.ProviderServiceGrpc;
import dev.providergateway.v1.StreamChunk;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Backpressure end to end over the real Netty server: a client that reads one message at a time
 * (manual gRPC flow control) while the upstream could send 384 MiB at loopback speed. The gateway
 * reads the upstream only as fast as the client reads, so the upstream's writes block after a
 * bounded number of chunks, and the heap stays flat.
 */
class BackpressureTest {
  private static final int CHUNKS = 12_000;
  private static final String PIECE = "x".repeat(32 * 1024);

  private final FakeUpstream upstream =
      FakeUpstream.startTracked()
          .otherwise(
              r -> {
                List<String> events =
                    new ArrayList<>(Collections.nCopies(CHUNKS, Wire.chunk(PIECE)));
                events.add(Wire.finish());
                events.add(Wire.DONE);
                return Response.sse(events);
              });
  private final GatewayServer gateway =
      start(
          """
      server: {host: 127.0.0.1, port: 0, shutdown_grace: 1s}
      providers:
        - name: up
          type: openai
          base_url: %s/v1
          api_key: k
          default_model: m
      resilience:
        first_token_timeout: 30s
        idle_timeout: 30s
      """
              .formatted(upstream.baseUri()));
  private final ManagedChannel channel =
      NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

  private static GatewayServer start(String yaml) {
    try {
      return GatewayServer.netty(ConfigLoader.parse(yaml, Map.of()), Map.of(), Clock.systemUTC())
          .start();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    gateway.shutdown();
    upstream.close();
  }

  @Test
  void stream_slowReaderFastUpstream_upstreamBlocksAfterBoundedChunksAndHeapStaysFlat()
      throws Exception {
    long heapBefore = heapAfterGc();
    AtomicInteger received = new AtomicInteger();
    ClientCall<ChatRequest, StreamChunk> call =
        channel.newCall(ProviderServiceGrpc.getStreamMethod(), CallOptions.DEFAULT);
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onMessage(StreamChunk message) {
            received.incrementAndGet();
          }
        },
        new Metadata());
    call.sendMessage(Requests.chat("up", "write a lot").setModel("m").build());
    call.halfClose();

    // Read 50 chunks slowly, then stop reading.
    for (int i = 0; i < 50; i++) {
      call.request(1);
      Thread.sleep(10);
    }
    assertThat(Leftovers.await(() -> received.get() == 50, Duration.ofSeconds(5))).isTrue();
    long written = awaitWriterBlocked();
    long heapDuring = heapAfterGc();

    System.out.printf(
        "written %d of %d, received %d, heap growth %d KiB%n",
        written, CHUNKS + 2, received.get(), (heapDuring - heapBefore) / 1024);
    assertThat(written - received.get())
        .as("chunks between the upstream's writes and the client's reads")
        .isLessThan(600);
    assertThat(heapDuring - heapBefore)
        .as("heap growth while the reader lags, bytes")
        .isLessThan(64L * 1024 * 1024);

    long cancelled = System.nanoTime();
    call.cancel("enough", null);
    assertThat(
            Leftovers.await(
                () -> upstream.connections().stream().noneMatch(Connection::open),
                Duration.ofSeconds(2)))
        .isTrue();
    Connection c = upstream.connections().get(0);
    assertThat(c.closedBy()).isEqualTo(Side.CLIENT);
    assertThat(Duration.ofNanos(c.closedNanos() - cancelled))
        .isLessThanOrEqualTo(Duration.ofMillis(100));
  }

  /**
   * Waits until the fake's writes stop progressing (its socket is full), and returns the parts
   * written.
   */
  private long awaitWriterBlocked() throws InterruptedException {
    long last = -1;
    long now = upstream.partsWritten();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (now != last && System.nanoTime() < deadline) {
      last = now;
      Thread.sleep(300);
      now = upstream.partsWritten();
    }
    assertThat(now).as("the upstream's writes stopped").isEqualTo(last);
    return now;
  }

  private long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      memory.gc();
      Thread.sleep(50);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
