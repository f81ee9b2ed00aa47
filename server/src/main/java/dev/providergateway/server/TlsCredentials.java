package dev.providergateway.server;

import dev.providergateway.config.ConfigException;
import dev.providergateway.config.TlsConfig;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.Closeable;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC port's TLS from {@code server.tls}, with gRPC's own reloading key and trust managers:
 * the PEM files are read at startup (a bad file fails startup, naming its key) and again every
 * {@code refresh_interval}, so a renewed certificate is served to new connections without a
 * restart. The returned closers stop the refresh.
 */
final class TlsCredentials {
  private TlsCredentials() {}

  static ServerCredentials of(TlsConfig tls, ScheduledExecutorService scheduler, List<Closeable> closers) {
    long period = tls.refreshInterval().toMillis();
    AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
    try {
      closers.add(keys.updateIdentityCredentials(
          tls.certFile().toFile(), tls.keyFile().toFile(), period, TimeUnit.MILLISECONDS, scheduler)::close);
    } catch (IOException | GeneralSecurityException e) {
      throw unreadable("server.tls.cert_file/key_file", tls.certFile() + ", " + tls.keyFile(), e);
    }
    TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder().keyManager(keys);
    if (tls.clientCaFile() != null) {
      try {
        AdvancedTlsX509TrustManager trust = AdvancedTlsX509TrustManager.newBuilder()
            .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
            .build();
        closers.add(trust.updateTrustCredentials(
            tls.clientCaFile().toFile(), period, TimeUnit.MILLISECONDS, scheduler)::close);
        builder.trustManager(trust);
      } catch (IOException | GeneralSecurityException e) {
        throw unreadable("server.tls.client_ca_file", tls.clientCaFile().toString(), e);
      }
      builder.clientAuth(tls.clientAuth() == TlsConfig.ClientAuth.REQUIRE
          ? TlsServerCredentials.ClientAuth.REQUIRE
          : tls.clientAuth() == TlsConfig.ClientAuth.OPTIONAL
              ? TlsServerCredentials.ClientAuth.OPTIONAL
              : TlsServerCredentials.ClientAuth.NONE);
    }
    return builder.build();
  }

  private static ConfigException unreadable(String key, String files, Exception e) {
    // The exception's own text names the file and the problem; no key material is in it.
    return new ConfigException(key + ": cannot load " + files + " (" + e.getClass().getSimpleName() + ": "
        + e.getMessage() + "), expected a PEM certificate chain and an unencrypted PKCS#8 PEM private key");
  }
}
