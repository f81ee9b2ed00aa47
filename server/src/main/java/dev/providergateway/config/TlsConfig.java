package dev.providergateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code server.tls} section: TLS, and optionally mutual TLS, on the gRPC port. Files are PEM;
 * they are read again every {@code refreshInterval}, so renewed certificates (cert-manager, Vault)
 * are picked up without a restart.
 *
 * @param certFile the server certificate chain, or null for plaintext
 * @param keyFile the server's unencrypted PKCS#8 private key; required with {@code certFile}
 * @param clientCaFile the CA bundle that client certificates must chain to, or null
 * @param clientAuth whether clients must present a certificate; not {@code NONE} only with {@code
 *     clientCaFile}
 * @param refreshInterval how often the files are re-read, at least 1 second
 */
public record TlsConfig(
    Path certFile,
    Path keyFile,
    Path clientCaFile,
    ClientAuth clientAuth,
    Duration refreshInterval) {

  /** Whether client certificates are asked for. */
  public enum ClientAuth {
    NONE,
    OPTIONAL,
    REQUIRE
  }

  public TlsConfig {
    Objects.requireNonNull(clientAuth, "clientAuth");
    Objects.requireNonNull(refreshInterval, "refreshInterval");
    if (certFile != null && keyFile == null) {
      throw ConfigException.at(
          "key_file", "required key is missing, expected the private key (PEM) of cert_file");
    }
    if (certFile == null && keyFile != null) {
      throw ConfigException.at(
          "cert_file", "required key is missing, expected the certificate chain (PEM) of key_file");
    }
    if (certFile == null && clientCaFile != null) {
      throw ConfigException.at(
          "client_ca_file",
          "set without cert_file, expected cert_file and key_file"
              + " too (mutual TLS needs server TLS)");
    }
    if (clientAuth != ClientAuth.NONE && clientCaFile == null) {
      throw ConfigException.at(
          "client_ca_file",
          "required key is missing, expected a CA bundle (PEM)"
              + " when client_auth is "
              + clientAuth.name().toLowerCase(java.util.Locale.ROOT));
    }
    if (refreshInterval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw ConfigException.at(
          "refresh_interval",
          Durations.format(refreshInterval) + " is out of range, expected at least 1s");
    }
    Checks.atMost("refresh_interval", refreshInterval, Checks.DAY);
  }

  /** Plaintext. */
  public static TlsConfig defaults() {
    return new TlsConfig(null, null, null, ClientAuth.NONE, Duration.ofMinutes(1));
  }

  /** Whether the port speaks TLS. */
  public boolean enabled() {
    return certFile != null;
  }
}
