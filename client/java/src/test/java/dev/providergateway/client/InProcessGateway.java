package dev.providergateway.client;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FakeProviderService} served in-process under a unique name, with the channels opened to
 * it. Closing it shuts everything down.
 */
public final class InProcessGateway implements AutoCloseable {
  public final FakeProviderService service = new FakeProviderService();

  /** The {@code authorization} header of every call, in order ("" when absent). */
  public final List<String> authorizations = new CopyOnWriteArrayList<>();

  private final String name = InProcessServerBuilder.generateName();
  private final Server server;
  private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();

  public InProcessGateway() {
    try {
      Metadata.Key<String> authorization =
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
      ServerInterceptor recorder =
          new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
              String value = headers.get(authorization);
              authorizations.add(value == null ? "" : value);
              return next.startCall(call, headers);
            }
          };
      server =
          InProcessServerBuilder.forName(name)
              .addService(ServerInterceptors.intercept(service, recorder))
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Opens a channel to the fake; closed with this gateway if the caller does not. */
  public ManagedChannel newChannel() {
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    channels.add(channel);
    return channel;
  }

  @Override
  public void close() {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
    }
    server.shutdownNow();
    try {
      for (ManagedChannel channel : channels) {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      }
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
