package dev.providergateway.server;

import dev.providergateway.config.GatewayConfig;
import dev.providergateway.config.ServerConfig;
import dev.providergateway.config.TlsConfig;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * {@code provider-gateway --health-check}: asks the local gateway's {@code grpc.health.v1.Health}
 * service for the overall status, as Docker's HEALTHCHECK and Kubernetes exec probes run it. It
 * reads the same config as the server, so it finds the port and speaks TLS when the server does
 * (presenting the server's own certificate when client certificates are required, and not verifying
 * the server's: it only asks the process on this machine whether it is alive).
 */
final class HealthProbe {
  private HealthProbe() {}

  /** 0 when SERVING, 1 otherwise; one line on stdout says which. */
  static int check(GatewayConfig config) {
    ServerConfig server = config.server();
    String host =
        server.host().equals("0.0.0.0") || server.host().equals("::") ? "127.0.0.1" : server.host();
    ManagedChannel channel;
    try {
      channel =
          NettyChannelBuilder.forAddress(host, server.port(), credentials(server.tls())).build();
    } catch (IOException e) {
      System.out.println("UNHEALTHY: cannot read TLS files: " + e.getMessage());
      return 1;
    }
    try {
      ServingStatus status =
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus();
      System.out.println(status);
      return status == ServingStatus.SERVING ? 0 : 1;
    } catch (StatusRuntimeException e) {
      System.out.println(
          "UNHEALTHY: " + e.getStatus().getCode() + " " + e.getStatus().getDescription());
      return 1;
    } finally {
      channel.shutdownNow();
    }
  }

  private static ChannelCredentials credentials(TlsConfig tls) throws IOException {
    if (!tls.enabled()) {
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder builder =
        TlsChannelCredentials.newBuilder()
            .trustManager(InsecureTrustManagerFactory.INSTANCE.getTrustManagers());
    if (tls.clientAuth() == TlsConfig.ClientAuth.REQUIRE) {
      builder.keyManager(tls.certFile().toFile(), tls.keyFile().toFile());
    }
    return builder.build();
  }
}
