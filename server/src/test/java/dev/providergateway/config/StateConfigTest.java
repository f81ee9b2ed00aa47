package dev.providergateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code state} section, the Redis URL from the environment, and connection ageing. */
class StateConfigTest {

  @Test
  void parse_stateSection_bindsEveryKey() {
    GatewayConfig config =
        ConfigLoader.parse(
            "state: {redis_url: 'rediss://:s3cret@redis.internal:6380/2', key_prefix: 'gw-a:',"
                + " replicas: 3, fail_closed: true, timeout: 8ms}\n",
            Map.of());

    StateConfig state = config.state();
    assertThat(state.shared()).isTrue();
    assertThat(state.redisUri().getHost()).isEqualTo("redis.internal");
    assertThat(state.redisUri().getPort()).isEqualTo(6380);
    assertThat(state.redisUri().isSsl()).isTrue();
    assertThat(state.redisUri().getDatabase()).isEqualTo(2);
    assertThat(state.keyPrefix()).isEqualTo("gw-a:");
    assertThat(state.replicas()).isEqualTo(3);
    assertThat(state.failClosed()).isTrue();
    assertThat(state.timeout()).isEqualTo(Duration.ofMillis(8));
    assertThat(state.redactedUrl()).isEqualTo("rediss://:***@redis.internal:6380/2");
    assertThat(state.toString()).doesNotContain("s3cret");
  }

  @Test
  void defaults_keepStateInProcess() {
    StateConfig state = GatewayConfig.defaults().state();

    assertThat(state.shared()).isFalse();
    assertThat(state.replicas()).isEqualTo(1);
    assertThat(state.failClosed()).isFalse();
  }

  @Test
  void parse_notARedisUrl_failsNamingTheKeyWithoutThePassword() {
    assertThatThrownBy(
            () ->
                ConfigLoader.parse("state: {redis_url: 'http://:hunter2@cache:6379'}\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("state.redis_url")
        .hasMessageContaining("expected redis://")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void parse_badValues_failNamingKeyAndRange() {
    assertThatThrownBy(() -> ConfigLoader.parse("state: {replicas: 0}\n", Map.of()))
        .hasMessageContaining("state.replicas")
        .hasMessageContaining("1..1000");
    assertThatThrownBy(() -> ConfigLoader.parse("state: {timeout: 5s}\n", Map.of()))
        .hasMessageContaining("state.timeout")
        .hasMessageContaining("1ms..1s");
    assertThatThrownBy(() -> ConfigLoader.parse("state: {key_prefix: 'a b*'}\n", Map.of()))
        .hasMessageContaining("state.key_prefix");
    assertThatThrownBy(() -> ConfigLoader.parse("state: {redis: x}\n", Map.of()))
        .hasMessageContaining("state.redis")
        .hasMessageContaining("redis_url");
  }

  @Test
  void resolve_environmentUrl_overridesTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("g.yaml");
    Files.writeString(file, "state: {redis_url: 'redis://file-host:6379', replicas: 2}\n");
    Map<String, String> env = Map.of(StateConfig.REDIS_URL_ENV, "redis://env-host:7000");

    GatewayConfig config = new StartupOptions(file, null).resolve(env);

    assertThat(config.state().redisUri().getHost()).isEqualTo("env-host");
    assertThat(config.state().replicas()).isEqualTo(2);
    assertThat(config.state().key()).isEqualTo(StateConfig.REDIS_URL_ENV);
  }

  @Test
  void resolve_badEnvironmentUrl_failsNamingTheVariable() {
    Map<String, String> env = Map.of(StateConfig.REDIS_URL_ENV, "cache:6379");

    assertThatThrownBy(() -> new StartupOptions(null, null).resolve(env))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(StateConfig.REDIS_URL_ENV)
        .hasMessageContaining("not a Redis URL");
  }

  @Test
  void parse_maxConnectionAge_bindsAndChecksRange() {
    ServerConfig.Connections c =
        ConfigLoader.parse(
                "server: {max_connection_age: 5m, max_connection_age_grace: 10s}\n", Map.of())
            .server()
            .connections();
    assertThat(c.maxConnectionAge()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.maxConnectionAgeGrace()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.agesConnections()).isTrue();
    assertThat(GatewayConfig.defaults().server().connections().agesConnections()).isFalse();

    assertThatThrownBy(() -> ConfigLoader.parse("server: {max_connection_age: 500ms}\n", Map.of()))
        .hasMessageContaining("server.max_connection_age")
        .hasMessageContaining("1s..7d");
  }
}
