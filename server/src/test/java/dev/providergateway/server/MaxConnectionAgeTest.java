package dev.providergateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.config.GatewayConfig;
import dev.providergateway.testing.Requests;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code server.max_connection_age}: the real Netty server sends an aged connection a GOAWAY, so
 * the client's channel drops it (and would resolve and connect again, finding new replicas).
 */
class MaxConnectionAgeTest {
  private GatewayServer gateway;
  private ManagedChannel channel;

  @AfterEach
  void stop() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (gateway != null) {
      gateway.shutdown();
    }
  }

  /** The channel's state some seconds after a call (sooner once it is no longer READY). */
  private ConnectivityState stateAfterACallAndAWait(String server) throws Exception {
    GatewayConfig config = ConfigLoader.parse(server, Map.of()).withPort(0);
    gateway = GatewayServer.netty(config, Map.of(), Clock.systemUTC()).start();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
    ProviderServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(20, TimeUnit.SECONDS)
        .chat(Requests.chat("echo", "hi").build());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
    while (System.nanoTime() < deadline && channel.getState(false) == ConnectivityState.READY) {
      Thread.sleep(50);
    }
    return channel.getState(false);
  }

  @Test
  void agedConnection_getsGoAway_channelLetsItGo() throws Exception {
    ConnectivityState state =
        stateAfterACallAndAWait("server: {max_connection_age: 1s, max_connection_age_grace: 1s}\n");

    assertThat(state).isNotEqualTo(ConnectivityState.READY);
  }

  @Test
  void noAgeLimit_connectionStaysOpen() throws Exception {
    ConnectivityState state = stateAfterACallAndAWait("server: {}\n");

    assertThat(state).isEqualTo(ConnectivityState.READY);
  }
}
