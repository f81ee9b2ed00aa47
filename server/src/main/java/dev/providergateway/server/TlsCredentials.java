package dev.providergateway.server;

import dev.providergateway.config.ConfigException;
import dev.providergateway.config.TlsConfig;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC port's TLS from {@code server.tls}, with gRPC's own reloadable key and trust managers.
 * The PEM files are read at startup (a bad file fails startup, naming its key) and checked every
 * {@code refresh_interval}: when a file's modification time changed, it is read again and new
 * connections get the new certificate (gRPC's built-in file refresh is not used because it enforces
 * a one-minute minimum period). A renewed file that does not load is logged and the previous
 * credentials stay. The returned closers stop the checks.
 *
 * <p>The OpenAI-compatible HTTP door is served with the very same key manager and trust manager (a
 * Netty {@link SslContext} over them, ALPN offering {@code h2} and {@code http/1.1}), so it
 * presents the same certificate, asks for client certificates the same way, and picks up a renewed
 * certificate at the same moment as the gRPC port.
 */
final class TlsCredentials {
  private static final System.Logger LOG = System.getLogger(TlsCredentials.class.getName());

  private TlsCredentials() {}

  /**
   * The gRPC port's credentials and the HTTP door's TLS context, over the same reloading managers.
   */
  record ServerTls(ServerCredentials grpc, SslContext http) {}

  static ServerTls of(TlsConfig tls, ScheduledExecutorService scheduler, List<Closeable> closers) {
    File cert = tls.certFile().toFile();
    File key = tls.keyFile().toFile();
    AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
    try {
      keys.updateIdentityCredentials(cert, key);
    } catch (IOException | GeneralSecurityException e) {
      throw unreadable("server.tls.cert_file/key_file", cert + ", " + key, e);
    }
    closers.add(watch(scheduler, tls, () -> keys.updateIdentityCredentials(cert, key), cert, key));
    TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder().keyManager(keys);
    SslContextBuilder http =
        SslContextBuilder.forServer(keys)
            .sslProvider(SslProvider.JDK)
            .applicationProtocolConfig(
                new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    ApplicationProtocolNames.HTTP_2,
                    ApplicationProtocolNames.HTTP_1_1));
    if (tls.clientCaFile() != null) {
      File ca = tls.clientCaFile().toFile();
      try {
        AdvancedTlsX509TrustManager trust =
            AdvancedTlsX509TrustManager.newBuilder()
                .setVerification(
                    AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                .build();
        trust.updateTrustCredentials(ca);
        closers.add(watch(scheduler, tls, () -> trust.updateTrustCredentials(ca), ca));
        builder.trustManager(trust);
        http.trustManager(trust);
      } catch (IOException | GeneralSecurityException e) {
        throw unreadable("server.tls.client_ca_file", ca.toString(), e);
      }
      builder.clientAuth(
          switch (tls.clientAuth()) {
            case REQUIRE -> TlsServerCredentials.ClientAuth.REQUIRE;
            case OPTIONAL -> TlsServerCredentials.ClientAuth.OPTIONAL;
            case NONE -> TlsServerCredentials.ClientAuth.NONE;
          });
      http.clientAuth(
          switch (tls.clientAuth()) {
            case REQUIRE -> ClientAuth.REQUIRE;
            case OPTIONAL -> ClientAuth.OPTIONAL;
            case NONE -> ClientAuth.NONE;
          });
    }
    try {
      return new ServerTls(builder.build(), http.build());
    } catch (javax.net.ssl.SSLException e) {
      throw unreadable("server.tls.cert_file/key_file", cert + ", " + key, e);
    }
  }

  private interface Reload {
    void run() throws IOException, GeneralSecurityException;
  }

  /** Re-reads {@code files} with {@code reload} whenever one's modification time changes. */
  private static Closeable watch(
      ScheduledExecutorService scheduler, TlsConfig tls, Reload reload, File... files) {
    long[] seen = new long[files.length];
    for (int i = 0; i < files.length; i++) {
      seen[i] = files[i].lastModified();
    }
    long period = tls.refreshInterval().toMillis();
    ScheduledFuture<?> task =
        scheduler.scheduleWithFixedDelay(
            () -> {
              long[] now = new long[files.length];
              boolean changed = false;
              for (int i = 0; i < files.length; i++) {
                now[i] = files[i].lastModified();
                changed |= now[i] != seen[i];
              }
              if (!changed) {
                return;
              }
              try {
                reload.run();
                System.arraycopy(now, 0, seen, 0, now.length);
                LOG.log(
                    System.Logger.Level.INFO,
                    "TLS files reloaded: {0}",
                    java.util.Arrays.toString(files));
              } catch (IOException | GeneralSecurityException | RuntimeException e) {
                // A half-written renewal: keep the old credentials and try again next period.
                LOG.log(
                    System.Logger.Level.WARNING,
                    "TLS files changed but do not load yet ({0}); keeping the previous ones",
                    e.getClass().getSimpleName());
              }
            },
            period,
            period,
            TimeUnit.MILLISECONDS);
    return () -> task.cancel(false);
  }

  private static ConfigException unreadable(String key, String files, Exception e) {
    // The exception's own text names the file and the problem; no key material is in it.
    return new ConfigException(
        key
            + ": cannot load "
            + files
            + " ("
            + e.getClass().getSimpleName()
            + ": "
            + e.getMessage()
            + "), expected a PEM certificate chain and an unencrypted PKCS#8 PEM private key");
  }
}
