package dev.providergateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code http} section of the OpenAI-compatible door: defaults, binding and bounds. */
class HttpConfigTest {

  @Test
  void defaults_onOnPort8080_orAFreePortWhenTheGrpcPortIsAny() {
    HttpConfig http = GatewayConfig.defaults().http();

    assertThat(http.enabled()).isTrue();
    assertThat(http.effectivePort(50051)).isEqualTo(8080);
    assertThat(http.effectivePort(0)).isZero();
  }

  @Test
  void parse_section_bindsEveryKey() {
    HttpConfig http =
        ConfigLoader.parse("http: {enabled: false, port: 9090, max_connections: 50}\n", Map.of())
            .http();

    assertThat(http).isEqualTo(new HttpConfig(false, 9090, 50));
    assertThat(http.effectivePort(0)).isEqualTo(9090);
  }

  @Test
  void parse_portOutOfRange_failsNamingTheKey() {
    assertThatThrownBy(() -> ConfigLoader.parse("http: {port: 70000}\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.port")
        .hasMessageContaining("70000");
  }

  @Test
  void parse_unknownKey_failsNamingIt() {
    assertThatThrownBy(() -> ConfigLoader.parse("http: {prot: 1}\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.prot");
  }
}
