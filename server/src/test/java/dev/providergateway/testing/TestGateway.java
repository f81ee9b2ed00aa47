package dev.providergateway.testing;

import dev.providergateway.config.GatewayConfig;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.server.GatewayServer;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A gateway on the in-process transport, with a hand-driven clock, for service tests. */
public final class TestGateway implements AutoCloseable {
  public final MutableClock clock = new MutableClock();
  public final GatewayServer server;
  public final ManagedChannel channel;

  public TestGateway(GatewayConfig config) {
    String name = InProcessServerBuilder.generateName();
    ProviderRegistry registry = ProviderRegistry.create(config, Map.of(), clock);
    server = GatewayServer.create(InProcessServerBuilder.forName(name).directExecutor(), config, registry, clock, null);
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
