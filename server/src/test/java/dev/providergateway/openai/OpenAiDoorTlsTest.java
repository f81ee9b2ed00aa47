package dev.providergateway.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.server.GatewayServer;
import dev.providergateway.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP door over TLS when {@code server.tls} is set: the real gateway serves the gRPC port's
 * certificate (made for the run by keytool) on the door too, to the JDK's HTTPS client over
 * HTTP/1.1 and HTTP/2 (ALPN); plaintext HTTP to that port is refused; a renewed certificate reaches
 * the door as it reaches the gRPC port; {@code client_auth: require} applies to the door too.
 */
class OpenAiDoorTlsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CHAT =
      "{\"model\":\"echo/echo-1\",\"messages\":[{\"role\":\"user\",\"content\":\"over https\"}]}";

  @TempDir static Path dir;

  @BeforeAll
  static void certificates() throws Exception {
    TestCertificates.create(dir, "server", "server2", "client");
  }

  private static GatewayServer gateway(String tlsExtra) throws Exception {
    TestCertificates.install(dir, "server");
    return GatewayServer.netty(
            ConfigLoader.parse(
                """
                server:
                  host: 127.0.0.1
                  port: 0
                  tls: {cert_file: '%s', key_file: '%s', refresh_interval: 1s%s}
                """
                    .formatted(dir.resolve("live.pem"), dir.resolve("live.key"), tlsExtra),
                Map.of()),
            Map.of(),
            Clock.systemUTC())
        .start();
  }

  /** An SSL context trusting the run's CA, presenting {@code clientCert}'s key when not null. */
  private static SSLContext trustingCa(String clientCert) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(dir.resolve("ca.pem"))) {
      trust.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trusts =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trusts.init(trust);
    KeyManagerFactory keys = null;
    if (clientCert != null) {
      // The CA-signed chain and its key, as the gateway's own PEM files hold them.
      String pem = Files.readString(dir.resolve(clientCert + ".key"));
      byte[] pkcs8 =
          java.util.Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").strip());
      java.security.PrivateKey key =
          java.security.KeyFactory.getInstance("RSA")
              .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(pkcs8));
      java.security.cert.Certificate[] chain;
      try (InputStream in = Files.newInputStream(dir.resolve(clientCert + ".pem"))) {
        chain =
            CertificateFactory.getInstance("X.509")
                .generateCertificates(in)
                .toArray(new java.security.cert.Certificate[0]);
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("client", key, "changeit".toCharArray(), chain);
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, "changeit".toCharArray());
    }
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(keys == null ? null : keys.getKeyManagers(), trusts.getTrustManagers(), null);
    return ssl;
  }

  private static HttpResponse<String> chat(
      String scheme, int port, HttpClient.Version version, SSLContext ssl) throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .version(version)
            .sslContext(ssl)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(scheme + "://localhost:" + port + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(20))
            .POST(HttpRequest.BodyPublishers.ofString(CHAT))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void https_overHttp11AndHttp2_chatsWithTheGrpcPortsCertificate() throws Exception {
    GatewayServer gateway = gateway("");
    try {
      assertThat(gateway.httpPort()).isPositive();
      for (HttpClient.Version version : HttpClient.Version.values()) {
        HttpResponse<String> r = chat("https", gateway.httpPort(), version, trustingCa(null));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.version()).isEqualTo(version);
        assertThat(JSON.readTree(r.body()).at("/choices/0/message/content").asText())
            .isEqualTo("over https");
      }
      assertThat(servedSubject(gateway.httpPort())).isEqualTo("CN=server");
    } finally {
      gateway.shutdown();
    }
  }

  @Test
  void plainHttp_toTheTlsPort_isRefused() throws Exception {
    GatewayServer gateway = gateway("");
    try {
      Throwable refused =
          catchThrowable(
              () ->
                  chat("http", gateway.httpPort(), HttpClient.Version.HTTP_1_1, trustingCa(null)));
      assertThat(refused).isInstanceOf(IOException.class);
    } finally {
      gateway.shutdown();
    }
  }

  @Test
  void renewedCertificate_isServedByTheDoorWithoutRestart() throws Exception {
    GatewayServer gateway = gateway("");
    try {
      assertThat(servedSubject(gateway.httpPort())).isEqualTo("CN=server");
      TestCertificates.install(dir, "server2");

      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      String subject = servedSubject(gateway.httpPort());
      while (!subject.equals("CN=server2") && System.nanoTime() < deadline) {
        Thread.sleep(200);
        subject = servedSubject(gateway.httpPort());
      }
      assertThat(subject).isEqualTo("CN=server2");
    } finally {
      gateway.shutdown();
    }
  }

  @Test
  void mutualTls_doorRequiresAClientCertificateFromTheCa() throws Exception {
    GatewayServer gateway =
        gateway(", client_ca_file: '" + dir.resolve("ca.pem") + "', client_auth: require");
    try {
      Throwable refused =
          catchThrowable(
              () ->
                  chat("https", gateway.httpPort(), HttpClient.Version.HTTP_1_1, trustingCa(null)));
      assertThat(refused).isInstanceOf(IOException.class);

      HttpResponse<String> r =
          chat("https", gateway.httpPort(), HttpClient.Version.HTTP_1_1, trustingCa("client"));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    } finally {
      gateway.shutdown();
    }
  }

  /** The subject of the certificate the door presents to a new TLS connection. */
  private static String servedSubject(int port) throws Exception {
    try (SSLSocket socket =
        (SSLSocket) trustingCa(null).getSocketFactory().createSocket("localhost", port)) {
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0])
          .getSubjectX500Principal()
          .getName();
    }
  }
}
