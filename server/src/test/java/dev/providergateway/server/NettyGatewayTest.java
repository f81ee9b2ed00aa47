package dev.providergateway.server;

import static dev.providergateway.testing.Requests.chat;
import static dev.providergateway.testing.Requests.extra;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.config.GatewayConfig;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import dev.providergateway.v1.ProviderServiceGrpc;
import dev.providergateway.v1.StreamChunk;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** End to end over the real Netty server on a loopback port. */
class NettyGatewayTest {
  private GatewayServer gateway;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    GatewayConfig config =
        ConfigLoader.parse("server: {host: 127.0.0.1, port: 0, shutdown_grace: 10s}\n", Map.of());
    gateway = GatewayServer.netty(config, Map.of(), Clock.systemUTC()).start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    gateway.shutdown();
  }

  @Test
  void chatAndStream_overNetty_answerThroughEcho() {
    var stub = ProviderServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);

    assertThat(stub.chat(chat("", "ping over netty").build()).getContent())
        .isEqualTo("ping over netty");
    List<StreamChunk> chunks = new ArrayList<>();
    stub.stream(chat("echo", "a b").build()).forEachRemaining(chunks::add);
    assertThat(chunks).extracting(StreamChunk::getIsFinal).containsExactly(false, false, true);
  }

  @Test
  void converse_overNetty_turnCompletes() throws Exception {
    LinkedBlockingQueue<ConverseResponse> responses = new LinkedBlockingQueue<>();
    CountDownLatch done = new CountDownLatch(1);
    StreamObserver<ConverseRequest> requests =
        ProviderServiceGrpc.newStub(channel)
            .converse(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ConverseResponse value) {
                    responses.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.countDown();
                  }

                  @Override
                  public void onCompleted() {
                    done.countDown();
                  }
                });
    requests.onNext(
        ConverseRequest.newBuilder()
            .setStart(
                ConverseRequest.StartTurn.newBuilder()
                    .setTurnId("t1")
                    .setRequest(chat("echo", "hello netty")))
            .build());
    requests.onCompleted();

    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(responses).extracting(ConverseResponse::getTurnId).containsOnly("t1");
    assertThat(responses).last().satisfies(r -> assertThat(r.getChunk().getIsFinal()).isTrue());
  }

  @Test
  void health_overallAndPerService_serving() {
    var health = HealthGrpc.newBlockingStub(channel);

    assertThat(health.check(HealthCheckRequest.newBuilder().build()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
    assertThat(
            health
                .check(
                    HealthCheckRequest.newBuilder()
                        .setService(ProviderServiceGrpc.SERVICE_NAME)
                        .build())
                .getStatus())
        .isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void reflection_v1_listsServices() throws Exception {
    CompletableFuture<List<String>> services = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse value) {
                    services.complete(
                        value.getListServicesResponse().getServiceList().stream()
                            .map(ServiceResponse::getName)
                            .toList());
                  }

                  @Override
                  public void onError(Throwable t) {
                    services.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
    requests.onCompleted();

    assertThat(services.get(10, TimeUnit.SECONDS))
        .contains(
            "providergateway.v1.ProviderService",
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection");
  }

  @Test
  void reflection_v1_servesTheErrorDetailTypes() throws Exception {
    for (String symbol :
        List.of("google.rpc.ErrorInfo", "google.rpc.RetryInfo", "google.rpc.BadRequest")) {
      CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
      StreamObserver<ServerReflectionRequest> requests =
          ServerReflectionGrpc.newStub(channel)
              .serverReflectionInfo(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                      answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                      answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                  });
      requests.onNext(ServerReflectionRequest.newBuilder().setFileContainingSymbol(symbol).build());
      requests.onCompleted();

      ServerReflectionResponse response = answer.get(10, TimeUnit.SECONDS);
      assertThat(response.hasErrorResponse()).as("%s: %s", symbol, response).isFalse();
      List<String> files = new ArrayList<>();
      for (var bytes : response.getFileDescriptorResponse().getFileDescriptorProtoList()) {
        files.add(
            com.google.protobuf.DescriptorProtos.FileDescriptorProto.parseFrom(bytes).getName());
      }
      assertThat(files).as(symbol).contains("google/rpc/error_details.proto");
    }
  }

  @Test
  void shutdown_inFlightStreamDrainsHealthGoesNotServingNewCallsRefused() throws Exception {
    LinkedBlockingQueue<ServingStatus> healthUpdates = new LinkedBlockingQueue<>();
    HealthGrpc.newStub(channel)
        .watch(
            HealthCheckRequest.getDefaultInstance(),
            new StreamObserver<>() {
              @Override
              public void onNext(HealthCheckResponse value) {
                healthUpdates.add(value.getStatus());
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
    assertThat(healthUpdates.poll(5, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);
    ChatRequest slow =
        chat("echo", "one two three four five").setExtra(extra("echo_delay_ms", 100)).build();
    var inFlight = ProviderServiceGrpc.newBlockingStub(channel).stream(slow);
    assertThat(inFlight.next().getContent()).isEqualTo("one");

    Thread stopper = new Thread(gateway::shutdown);
    stopper.start();

    assertThat(healthUpdates.poll(5, TimeUnit.SECONDS)).isEqualTo(ServingStatus.NOT_SERVING);
    List<StreamChunk> rest = new ArrayList<>();
    inFlight.forEachRemaining(rest::add);
    assertThat(rest).last().satisfies(c -> assertThat(c.getIsFinal()).isTrue());
    assertThat(rest).extracting(StreamChunk::getContent).contains(" five");
    StatusRuntimeException refused =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> ProviderServiceGrpc.newBlockingStub(channel).chat(chat("echo", "late").build()));
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    channel.shutdownNow();
    stopper.join(15_000);
    assertThat(stopper.isAlive()).isFalse();
  }
}
