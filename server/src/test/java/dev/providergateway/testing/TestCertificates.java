package dev.providergateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A CA and certificates it signed, made by the JDK's keytool when a test starts (no key is
 * committed), for the TLS tests of the gRPC port and the HTTP door.
 */
public final class TestCertificates {
  private static final String PASS = "changeit";

  private TestCertificates() {}

  /**
   * Writes into {@code dir}: {@code ca.pem} (a CA made for this run), and for each name {@code
   * name.pem} (leaf, SAN localhost and 127.0.0.1, then the CA) and {@code name.key} (PKCS#8 PEM).
   */
  public static void create(Path dir, String... names) throws Exception {
    keytool(
        dir,
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=test-ca",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        "ca.p12");
    keytool(dir, "-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.pem");
    for (String name : names) {
      issue(dir, name);
    }
  }

  /** {@code name.pem} (leaf then CA) and {@code name.key} (PKCS#8 PEM), signed by the CA. */
  private static void issue(Path dir, String name) throws Exception {
    keytool(
        dir,
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=" + name,
        "-validity",
        "2",
        "-keystore",
        name + ".p12");
    keytool(dir, "-certreq", "-alias", name, "-keystore", name + ".p12", "-file", name + ".csr");
    keytool(
        dir,
        "-gencert",
        "-alias",
        "ca",
        "-keystore",
        "ca.p12",
        "-infile",
        name + ".csr",
        "-outfile",
        name + ".crt",
        "-rfc",
        "-validity",
        "2",
        "-ext",
        "san=dns:localhost,ip:127.0.0.1",
        "-ext",
        "eku=serverAuth,clientAuth");
    Files.writeString(
        dir.resolve(name + ".pem"),
        Files.readString(dir.resolve(name + ".crt")) + Files.readString(dir.resolve("ca.pem")));
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(dir.resolve(name + ".p12").toFile())) {
      store.load(in, PASS.toCharArray());
    }
    byte[] pkcs8 = store.getKey(name, PASS.toCharArray()).getEncoded();
    Files.writeString(
        dir.resolve(name + ".key"),
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8)
            + "\n-----END PRIVATE KEY-----\n");
  }

  private static void keytool(Path dir, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    command.addAll(
        List.of("-storetype", "PKCS12", "-storepass", PASS, "-keypass", PASS, "-noprompt"));
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("keytool %s: %s", args[0], out).isZero();
  }

  /**
   * Copies {@code name}'s certificate and key over {@code live.pem} and {@code live.key} (the key
   * first), dating both 5 s ahead: the gateway's refresh compares modification times, and some file
   * systems keep whole seconds only.
   */
  public static void install(Path dir, String name) throws java.io.IOException {
    Files.copy(
        dir.resolve(name + ".key"),
        dir.resolve("live.key"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        dir.resolve(name + ".pem"),
        dir.resolve("live.pem"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    var later = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000);
    Files.setLastModifiedTime(dir.resolve("live.key"), later);
    Files.setLastModifiedTime(dir.resolve("live.pem"), later);
  }
}
