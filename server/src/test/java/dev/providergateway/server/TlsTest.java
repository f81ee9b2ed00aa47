package dev.providergateway.server;

import static dev.providergateway.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.config.GatewayConfig;
import dev.providergateway.testing.TestCertificates;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.NettyChannelBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and mutual TLS on the real Netty port, with a CA, server and client certificates made by the
 * JDK's keytool when the tests start (no key is committed).
 */
class TlsTest {
  @TempDir static Path dir;

  @BeforeAll
  static void certificates() throws Exception {
    TestCertificates.create(dir, "server", "server2", "client");
  }

  private static GatewayServer gateway(String tls) throws Exception {
    TestCertificates.install(dir, "server");
    GatewayConfig config =
        ConfigLoader.parse(
            """
        server:
          host: 127.0.0.1
          port: 0
          tls: {cert_file: '%s', key_file: '%s', refresh_interval: 1s%s}
        """
                .formatted(dir.resolve("live.pem"), dir.resolve("live.key"), tls),
            Map.of());
    return GatewayServer.netty(config, Map.of(), Clock.systemUTC()).start();
  }

  private static String chatOver(int port, ChannelCredentials credentials)
      throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", port, credentials).build();
    try {
      return ProviderServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .chat(chat("echo", "over tls").build())
          .getContent();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static TlsChannelCredentials.Builder trustingCa() throws Exception {
    return TlsChannelCredentials.newBuilder().trustManager(dir.resolve("ca.pem").toFile());
  }

  @Test
  void tls_clientTrustingTheCa_chats() throws Exception {
    GatewayServer gateway = gateway("");
    try {
      assertThat(chatOver(gateway.port(), trustingCa().build())).isEqualTo("over tls");
    } finally {
      gateway.shutdown();
    }
  }

  @Test
  void mutualTls_requiresAClientCertificateFromTheCa() throws Exception {
    GatewayServer gateway =
        gateway(", client_ca_file: '" + dir.resolve("ca.pem") + "', client_auth: require");
    try {
      var refused =
          catchThrowableOfType(
              StatusRuntimeException.class, () -> chatOver(gateway.port(), trustingCa().build()));
      assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);

      var withCert =
          trustingCa()
              .keyManager(dir.resolve("client.pem").toFile(), dir.resolve("client.key").toFile());
      assertThat(chatOver(gateway.port(), withCert.build())).isEqualTo("over tls");
      assertThat(HealthProbe.check(gateway.config().withPort(gateway.port()))).isZero();
    } finally {
      gateway.shutdown();
    }
  }

  @Test
  void tls_renewedCertificateFiles_areServedWithoutRestart() throws Exception {
    GatewayServer gateway = gateway("");
    try {
      assertThat(servedSubject(gateway.port())).isEqualTo("CN=server");
      TestCertificates.install(dir, "server2");

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      String subject = servedSubject(gateway.port());
      while (!subject.equals("CN=server2") && System.nanoTime() < deadline) {
        Thread.sleep(200);
        subject = servedSubject(gateway.port());
      }
      assertThat(subject).isEqualTo("CN=server2");
    } finally {
      gateway.shutdown();
    }
  }

  /** The subject of the certificate the server presents to a new connection. */
  private static String servedSubject(int port) throws Exception {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(dir.resolve("ca.pem"))) {
      trust.setCertificateEntry(
          "ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    factory.init(trust);
    X509TrustManager delegate = (X509TrustManager) factory.getTrustManagers()[0];
    AtomicReference<String> subject = new AtomicReference<>();
    X509TrustManager recording =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType)
              throws java.security.cert.CertificateException {
            delegate.checkServerTrusted(chain, authType);
            subject.set(chain[0].getSubjectX500Principal().getName());
          }

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
          }
        };
    chatOver(port, TlsChannelCredentials.newBuilder().trustManager(recording).build());
    return subject.get();
  }
}
