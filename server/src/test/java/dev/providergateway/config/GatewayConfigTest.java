package dev.providergateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

  @Test
  void defaults_noFile_hasDocumentedDefaults() {
    GatewayConfig config = GatewayConfig.defaults();

    ServerConfig server = config.server();
    assertThat(server.host()).isEqualTo("127.0.0.1");
    assertThat(server.port()).isEqualTo(50051);
    assertThat(server.executorThreads()).isZero();
    assertThat(server.servesOnEventLoops()).isTrue();
    assertThat(server.keepaliveTime()).isEqualTo(Duration.ofSeconds(60));
    assertThat(server.keepaliveTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(server.permitKeepaliveTime()).isEqualTo(Duration.ofSeconds(10));
    assertThat(server.maxInboundMessageBytes()).isEqualTo(16 * 1024 * 1024);
    assertThat(server.maxConcurrentCallsPerConnection()).isEqualTo(1000);
    assertThat(server.shutdownGrace()).isEqualTo(Duration.ofSeconds(20));
    assertThat(config.limits()).isEqualTo(new LimitsConfig(8 * 1024 * 1024, 4096, 256, 32));
    assertThat(config.defaultProvider()).isEmpty();
    assertThat(config.providers()).isEmpty();
    assertThat(config.routes()).isEmpty();
    assertThat(config.plugins().directory()).isEqualTo(Path.of("plugins"));
    assertThat(BreakerConfig.defaults())
        .isEqualTo(new BreakerConfig(5, Duration.ofSeconds(30), 3, 2));
  }

  @Test
  void withPort_zero_replacesOnlyPort() {
    GatewayConfig config = GatewayConfig.defaults().withPort(0);

    assertThat(config.server().port()).isZero();
    assertThat(config.server().withPort(50051)).isEqualTo(ServerConfig.defaults());
  }

  @Test
  void withPort_outOfRange_failsNamingKey() {
    assertThatThrownBy(() -> GatewayConfig.defaults().withPort(70000))
        .isInstanceOf(ConfigException.class)
        .hasMessage("server.port: 70000 is out of range, expected 0..65535");
  }

  @Test
  void withProvidersRoutesAndDefault_copies_keepOtherFields() {
    ProviderConfig echo = ProviderConfig.of("echo", "echo");
    RouteConfig route = new RouteConfig(List.of(new RouteConfig.RouteTarget("echo")));

    GatewayConfig config =
        GatewayConfig.defaults()
            .withProviders(List.of(echo))
            .withRoutes(Map.of("fast", route))
            .withDefaultProvider("fast");

    assertThat(config.providers()).containsExactly(echo);
    assertThat(config.routes()).containsOnly(Map.entry("fast", route));
    assertThat(config.defaultProvider()).isEqualTo("fast");
    assertThat(config.server()).isEqualTo(ServerConfig.defaults());
  }

  @Test
  void withProviders_duplicateAlias_fails() {
    ProviderConfig a =
        new ProviderConfig(
            "a",
            "echo",
            List.of("x"),
            null,
            null,
            null,
            List.of(),
            Map.of(),
            BreakerConfig.defaults());
    ProviderConfig b =
        new ProviderConfig(
            "b",
            "echo",
            List.of("x"),
            null,
            null,
            null,
            List.of(),
            Map.of(),
            BreakerConfig.defaults());

    assertThatThrownBy(() -> GatewayConfig.defaults().withProviders(List.of(a, b)))
        .hasMessage(
            "providers[1].aliases[0]: \"x\" is already used by providers[0].aliases[0],"
                + " expected provider names and aliases to be unique");
  }

  @Test
  void withDefaultProvider_null_meansRegistryDecides() {
    assertThat(GatewayConfig.defaults().withDefaultProvider(null).defaultProvider()).isEmpty();
  }

  @Test
  void withDefaultProvider_invalidName_fails() {
    assertThatThrownBy(() -> GatewayConfig.defaults().withDefaultProvider("Bad Name"))
        .hasMessageStartingWith("default_provider: \"Bad Name\" is not valid");
  }

  @Test
  void constructor_requestLimitAboveMessageLimit_failsNamingBothKeys() {
    ServerConfig server = ServerConfig.defaults();
    LimitsConfig limits = new LimitsConfig(32 * 1024 * 1024, 1, 0, 1);

    assertThatThrownBy(() -> GatewayConfig.builder().server(server).limits(limits).build())
        .hasMessage(
            "limits.max_request_bytes: 33554432 is out of range, expected 1024..16777216"
                + " (at most server.max_inbound_message_bytes)");
  }

  @Test
  void options_programmaticMap_isCopiedUnmodifiable() {
    Map<String, Object> nested = new java.util.HashMap<>(Map.of("k", "v"));
    ProviderConfig provider =
        new ProviderConfig(
            "a",
            "b",
            List.of(),
            null,
            null,
            null,
            List.of(),
            Map.of("nested", nested),
            BreakerConfig.defaults());
    nested.put("k", "changed");

    assertThat(provider.options()).isEqualTo(Map.of("nested", Map.of("k", "v")));
  }
}
