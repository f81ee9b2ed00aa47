package dev.providergateway.testing;

import dev.providergateway.config.GatewayConfig;
import dev.providergateway.config.ResilienceConfig;
import dev.providergateway.provider.testing.TestTransport;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.server.GatewayServer;
import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A gateway on the in-process transport, with a hand-driven clock, for service tests. A config that
 * leaves the resilience section at its defaults gets no retries (single attempts keep error-mapping
 * and breaker tests exact); tests of retries set the section themselves.
 */
public final class TestGateway implements AutoCloseable {
  public final MutableClock clock = new MutableClock();
  public final GatewayServer server;
  public final ManagedChannel channel;

  public static final ResilienceConfig NO_RETRIES =
      ResilienceConfig.builder()
          .retries(0, Duration.ofMillis(10), Duration.ofMillis(100), 0)
          .retryBudget(100, 1000)
          .build();

  public TestGateway(GatewayConfig given) {
    GatewayConfig config =
        given.resilience().equals(ResilienceConfig.defaults())
            ? given.withResilience(NO_RETRIES)
            : given;
    String name = InProcessServerBuilder.generateName();
    ProviderRegistry registry =
        ProviderRegistry.create(config, Map.of(), clock, TestTransport.get());
    server =
        GatewayServer.create(
            InProcessServerBuilder.forName(name).directExecutor(), config, registry, clock, null);
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  public TestGateway() {
    this(GatewayConfig.defaults());
  }

  public ProviderServiceGrpc.ProviderServiceBlockingStub blocking() {
    return ProviderServiceGrpc.newBlockingStub(channel);
  }

  /** Opens a Converse stream whose responses go to {@code into}; errors and the end are ignored. */
  public StreamObserver<ConverseRequest> converse(BlockingQueue<ConverseResponse> into) {
    return async()
        .converse(
            new StreamObserver<>() {
              @Override
              public void onNext(ConverseResponse value) {
                into.add(value);
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
  }

  public ProviderServiceGrpc.ProviderServiceStub async() {
    return ProviderServiceGrpc.newStub(channel);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.shutdown();
  }
}
