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
import dev.providergateway.v1.CircuitState;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import dev.providergateway.v1.ListProvidersRequest;
import dev.providergateway.v1.ProviderServiceGrpc;
import dev.providergateway.v1.StreamChunk;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Cancellation reaches the upstream on every path, over the real Netty server: a Chat or Stream
 * call the client cancels, a Converse turn the client cancels (the stream and its other turns go
 * on), a Converse call cancelled as a whole, and a client whose connection goes away. In each case
 * the upstream HTTP connection is closed within 100 ms, and no cancellation counts against the
 * provider's breaker. The watchdogs and the default deadline are set far away, so only the
 * cancellation can end the upstream requests.
 */
class CancellationReachesUpstreamTest {
  private static final Duration WITHIN = Duration.ofMillis(100);

  private final FakeUpstream upstream =
      FakeUpstream.startTracked()
          .otherwise(
              r ->
                  r.json().path("stream").asBoolean()
                      ? Response.stream(
                              200, "text/event-stream", Duration.ZERO, List.of(Wire.chunk("Hel")))
                          .thenHang("\n")
                      : Response.json(200, Wire.completionBody("late"))
                          .withDelayBeforeHeaders(Duration.ofSeconds(60)));
  private final GatewayServer gateway =
      startGateway(
          """
      server: {host: 127.0.0.1, port: 0, shutdown_grace: 1s}
      providers:
        - name: up
          type: openai
          base_url: %s/v1
          api_key: k
          default_model: m
          breaker: {failure_threshold: 2}
      resilience:
        first_token_timeout: 60s
        idle_timeout: 60s
        default_deadline: 10m
      """
              .formatted(upstream.baseUri()));
  private final ManagedChannel channel =
      NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
  private final ChatRequest request = Requests.chat("up", "hi").setModel("m").build();

  private static GatewayServer startGateway(String yaml) {
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
  void chat_clientCancels_upstreamConnectionClosedWithin100ms() throws Exception {
    Observed<ChatRequest, CompletionResponse> call = new Observed<>();
    ProviderServiceGrpc.newStub(channel).chat(request, call);
    awaitUpstreamRequests(1);

    long cancelled = System.nanoTime();
    call.call.cancel("client gave up", null);

    assertClosedByGatewayWithin(cancelled);
    assertThat(breaker()).isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
  }

  @Test
  void stream_clientCancelsAfterFirstChunk_upstreamConnectionClosedWithin100ms() throws Exception {
    Observed<ChatRequest, StreamChunk> call = new Observed<>();
    ProviderServiceGrpc.newStub(channel).stream(request, call);
    assertThat(call.next().getContent()).isEqualTo("Hel");

    long cancelled = System.nanoTime();
    call.call.cancel("client has what it needs", null);

    assertClosedByGatewayWithin(cancelled);
    assertThat(breaker()).isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
  }

  @Test
  void converse_clientCancelsOneTurn_upstreamClosedWithin100msAndStreamGoesOn() throws Exception {
    Observed<ConverseRequest, ConverseResponse> call = new Observed<>();
    ProviderServiceGrpc.newStub(channel).converse(call);
    call.call.onNext(turn("t1"));
    assertThat(call.next().getChunk().getContent()).isEqualTo("Hel");

    long cancelled = System.nanoTime();
    call.call.onNext(
        ConverseRequest.newBuilder()
            .setCancel(ConverseRequest.CancelTurn.newBuilder().setTurnId("t1"))
            .build());

    assertClosedByGatewayWithin(cancelled);
    ConverseResponse ended = call.next();
    assertThat(ended.getTurnId()).isEqualTo("t1");
    assertThat(ended.getError().getCode()).isEqualTo(Status.Code.CANCELLED.value());
    call.call.onNext(turn("t2"));
    ConverseResponse next = call.next();
    assertThat(next.getTurnId()).isEqualTo("t2");
    assertThat(next.getChunk().getContent()).isEqualTo("Hel");
    assertThat(call.ended.getCount()).as("the Converse stream is still open").isEqualTo(1);
    call.call.cancel("done", null);
    assertThat(awaitAllClosed()).isTrue();
    assertThat(breaker()).isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
  }

  @Test
  void converse_clientCancelsCall_everyTurnsUpstreamClosedWithin100ms() throws Exception {
    Observed<ConverseRequest, ConverseResponse> call = new Observed<>();
    ProviderServiceGrpc.newStub(channel).converse(call);
    call.call.onNext(turn("t1"));
    call.call.onNext(turn("t2"));
    call.next();
    call.next();
    awaitUpstreamRequests(2);

    long cancelled = System.nanoTime();
    call.call.cancel("client went away", null);

    assertClosedByGatewayWithin(cancelled);
    assertThat(upstream.connections()).hasSize(2);
    assertThat(breaker()).isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
  }

  @Test
  void stream_clientDisconnects_upstreamConnectionClosedWithin100ms() throws Exception {
    Observed<ChatRequest, StreamChunk> call = new Observed<>();
    ProviderServiceGrpc.newStub(channel).stream(request, call);
    assertThat(call.next().getContent()).isEqualTo("Hel");

    long disconnected = System.nanoTime();
    channel.shutdownNow();

    assertClosedByGatewayWithin(disconnected);
  }

  @Test
  void chat_clientDisconnects_upstreamConnectionClosedWithin100ms() throws Exception {
    Observed<ChatRequest, CompletionResponse> call = new Observed<>();
    ProviderServiceGrpc.newStub(channel).chat(request, call);
    awaitUpstreamRequests(1);

    long disconnected = System.nanoTime();
    channel.shutdownNow();

    assertClosedByGatewayWithin(disconnected);
  }

  @Test
  void streamAndChat_repeatedCancels_neverOpenBreaker() throws Exception {
    for (int i = 0; i < 3; i++) {
      Observed<ChatRequest, StreamChunk> stream = new Observed<>();
      ProviderServiceGrpc.newStub(channel).stream(request, stream);
      stream.next();
      stream.call.cancel("after output", null);
      Observed<ChatRequest, CompletionResponse> chat = new Observed<>();
      ProviderServiceGrpc.newStub(channel).chat(request, chat);
      awaitUpstreamRequests(2 * i + 2);
      chat.call.cancel("before output", null);
    }

    assertThat(awaitAllClosed()).isTrue();
    assertThat(breaker())
        .as("6 cancels with a threshold of 2")
        .isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
  }

  private static ConverseRequest turn(String id) {
    return ConverseRequest.newBuilder()
        .setStart(
            ConverseRequest.StartTurn.newBuilder()
                .setTurnId(id)
                .setRequest(Requests.chat("up", "hi").setModel("m")))
        .build();
  }

  private void awaitUpstreamRequests(int n) throws InterruptedException {
    assertThat(Leftovers.await(() -> upstream.requestCount() >= n, Duration.ofSeconds(5)))
        .as("upstream requests: %s of %s", upstream.requestCount(), n)
        .isTrue();
  }

  private boolean awaitAllClosed() throws InterruptedException {
    return Leftovers.await(
        () -> upstream.connections().stream().noneMatch(Connection::open), Duration.ofSeconds(2));
  }

  private void assertClosedByGatewayWithin(long since) throws InterruptedException {
    assertThat(awaitAllClosed()).as("connections still open: %s", upstream.connections()).isTrue();
    for (Connection c : upstream.connections()) {
      assertThat(c.closedBy()).isEqualTo(Side.CLIENT);
      assertThat(Duration.ofNanos(c.closedNanos() - since))
          .as("close after the cancel")
          .isLessThanOrEqualTo(WITHIN);
    }
    assertThat(Leftovers.await(() -> upstream.activeResponses() == 0, Duration.ofSeconds(1)))
        .isTrue();
  }

  private CircuitState breaker() {
    ManagedChannel fresh =
        NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
    try {
      return ProviderServiceGrpc.newBlockingStub(fresh)
          .listProviders(ListProvidersRequest.getDefaultInstance())
          .getProvidersList()
          .stream()
          .filter(p -> p.getName().equals("up"))
          .findFirst()
          .orElseThrow()
          .getCircuitState();
    } finally {
      fresh.shutdownNow();
    }
  }
}
