package dev.providergateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The auth, server.tls, metrics, tracing and logging sections. */
class OperationsConfigTest {
  private static final String HASH =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void parse_everySection_bindsValues() {
    GatewayConfig config =
        ConfigLoader.parse(
            """
        server:
          host: 0.0.0.0
          tls: {cert_file: /tls/crt, key_file: /tls/key, client_ca_file: /tls/ca, client_auth: require, refresh_interval: 30s}
        auth:
          keys:
            - {id: team-a, key_sha256: "SHA256:%s", providers: [echo], models: ["gpt-*"], requests_per_minute: 60, tokens_per_minute: 1000}
        metrics: {enabled: true, host: 10.0.0.1, port: 9100, path: /m}
        tracing: {otlp_endpoint: 'http://collector:4318/v1/traces', sample_ratio: 0.25, service_name: gw}
        logging: {format: json, level: debug, access_log: false}
        """
                .formatted(HASH.toUpperCase()),
            Map.of());

    assertThat(config.server().tls())
        .isEqualTo(
            new TlsConfig(
                Path.of("/tls/crt"),
                Path.of("/tls/key"),
                Path.of("/tls/ca"),
                TlsConfig.ClientAuth.REQUIRE,
                Duration.ofSeconds(30)));
    assertThat(config.auth().enabled()).isTrue();
    assertThat(config.auth().keys())
        .containsExactly(
            new ApiKeyConfig(
                "team-a", HASH, java.util.List.of("echo"), java.util.List.of("gpt-*"), 60, 1000));
    assertThat(config.metrics()).isEqualTo(new MetricsConfig(true, "10.0.0.1", 9100, "/m"));
    assertThat(config.tracing())
        .isEqualTo(new TracingConfig("http://collector:4318/v1/traces", 0.25, "gw"));
    assertThat(config.logging())
        .isEqualTo(new LoggingConfig(LoggingConfig.Format.JSON, LoggingConfig.Level.DEBUG, false));
  }

  @Test
  void defaults_loopbackWithoutAuthAndNothingExtraOn() {
    GatewayConfig config = GatewayConfig.defaults();

    assertThat(config.server().loopback()).isTrue();
    assertThat(config.auth().enabled()).isFalse();
    assertThat(config.server().tls().enabled()).isFalse();
    assertThat(config.metrics().enabled()).isFalse();
    assertThat(config.tracing().enabled()).isFalse();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "server: {host: 0.0.0.0}                        | auth: no keys configured while server.host \"0.0.0.0\" is not a loopback address",
        "server: {host: gateway.internal}               | auth: no keys configured",
        "auth: {enabled: true}                          | auth.keys: empty, expected at least one key when enabled is true",
        "auth: {enabled: maybe}                         | auth.enabled: expected true or false",
        "auth: {keys: [{id: a}]}                        | auth.keys[0].key_sha256: required key is missing",
        "auth: {keys: [{id: A, key_sha256: x}]}         | auth.keys[0].id: \"A\" is not valid",
        "auth: {keys: [{id: a, key_sha256: x}, {id: a, key_sha256: y}]} | auth.keys[0].key_sha256: not a SHA-256 (value not shown)",
        "auth: {keys: [{id: a, key_sha256: "
            + HASH
            + ", requests_per_minute: -1}]} | auth.keys[0].requests_per_minute: -1 is out of range",
        "server: {tls: {key_file: /k}}                  | server.tls.cert_file: required key is missing",
        "server: {tls: {cert_file: /c}}                 | server.tls.key_file: required key is missing",
        "server: {tls: {cert_file: /c, key_file: /k, client_auth: require}} | server.tls.client_ca_file: required key is missing",
        "server: {tls: {cert_file: /c, key_file: /k, client_auth: always}} | server.tls.client_auth: \"always\" is not valid, expected one of none, optional, require",
        "server: {tls: {cert_file: /c, key_file: /k, refresh_interval: 10ms}} | server.tls.refresh_interval: 10ms is out of range, expected at least 1s",
        "metrics: {path: metrics}                       | metrics.path: \"metrics\" is not valid, expected an absolute path",
        "metrics: {port: 70000}                         | metrics.port: 70000 is out of range",
        "tracing: {otlp_endpoint: 'collector:4318'}     | tracing.otlp_endpoint: \"collector:4318\" is not valid",
        "tracing: {sample_ratio: 2}                     | tracing.sample_ratio: 2.0 is out of range, expected 0.0..1.0",
        "logging: {format: xml}                         | logging.format: \"xml\" is not valid, expected one of text, json",
        "logging: {levle: info}                         | logging.levle: unknown key (did you mean level?)",
      })
  void parse_invalid_failsNamingKeyValueAndExpectation(String yaml, String message) {
    assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message);
  }

  @Test
  void parse_duplicateKeyIdOrHash_failsWithoutShowingTheHash() {
    String twice =
        "auth: {keys: [{id: a, key_sha256: %s}, {id: b, key_sha256: %s}]}".formatted(HASH, HASH);
    assertThatThrownBy(() -> ConfigLoader.parse(twice, Map.of()))
        .hasMessageContaining("auth.keys[1].key_sha256: same hash as keys[0]")
        .hasMessageNotContaining(HASH);
    String sameId =
        "auth: {keys: [{id: a, key_sha256: %s}, {id: a, key_sha256: %s}]}"
            .formatted(HASH, HASH.replace('b', 'c'));
    assertThatThrownBy(() -> ConfigLoader.parse(sameId, Map.of()))
        .hasMessageContaining("auth.keys[1].id: \"a\" is already used by keys[0]");
  }

  @Test
  void parse_rawKeyPastedAsHash_isNotEchoed() {
    String key = "sk-live-THIS-IS-A-RAW-KEY-0123456789";
    assertThatThrownBy(
            () ->
                ConfigLoader.parse("auth: {keys: [{id: a, key_sha256: '" + key + "'}]}", Map.of()))
        .hasMessageContaining("not a SHA-256 (value not shown)")
        .hasMessageNotContaining(key);
  }

  @Test
  void parse_openGatewayOnPurpose_isAccepted() {
    GatewayConfig config =
        ConfigLoader.parse("server: {host: 0.0.0.0}\nauth: {enabled: false}\n", Map.of());

    assertThat(config.auth().enabled()).isFalse();
    assertThat(config.server().loopback()).isFalse();
  }

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1,true",
    "127.1.2.3,true",
    "localhost,true",
    "::1,true",
    "[::1],true",
    "0.0.0.0,false",
    "::,false",
    "10.0.0.1,false",
    "localhost.example.com,false"
  })
  void loopback_isDecidedWithoutDns(String host, boolean loopback) {
    assertThat(Hosts.isLoopback(host)).isEqualTo(loopback);
  }
}
