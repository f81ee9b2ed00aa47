package dev.providergateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  // Every value differs from its default, so a field that is not bound shows up.
  static final String FULL_EXAMPLE =
      """
      server:
        host: 127.0.0.1
        port: 6000
        executor_threads: 8
        io_threads: 3
        keepalive_time: 2m
        keepalive_timeout: 500ms
        permit_keepalive_time: PT5S
        max_inbound_message_bytes: 33554432
        max_concurrent_calls_per_connection: 50
        shutdown_grace: 0s
      limits:
        max_request_bytes: 1048576
        max_messages: 100
        max_tools: 0
        max_turns_per_stream: 4
      default_provider: my-openai
      providers:
        - name: my-openai
          type: openai
          aliases: [gpt, chatgpt]
          base_url: https://api.example.com/v1
          api_key: ${OPENAI_API_KEY}
          default_model: gpt-4o-mini
          models: [gpt-4o-mini, gpt-4o]
          options: {organization: acme, retries: 3, ratio: 0.5, stream: true, extra: [a, {b: c}], none: ~}
          breaker: {failure_threshold: 7, open_duration: 1h, half_open_calls: 4, half_open_successes_to_close: 4}
        - name: echo
          type: echo
      routes:
        fast:
          targets:
            - {provider: my-openai, model: gpt-4o-mini}
            - {provider: echo}
        fast.v2:
          targets: [{provider: gpt}]
      plugins:
        directory: /opt/gateway/plugins
      """;

  static final Map<String, String> ENV = Map.of("OPENAI_API_KEY", "sk-test-123");

  @Test
  void parse_emptyText_givesDefaults() {
    assertThat(ConfigLoader.parse("", Map.of())).isEqualTo(GatewayConfig.defaults());
    assertThat(ConfigLoader.parse("# nothing but a comment\n", Map.of()))
        .isEqualTo(GatewayConfig.defaults());
  }

  @Test
  void parse_missingSections_keepSectionDefaults() {
    GatewayConfig config = ConfigLoader.parse("server: {port: 7000}\nlimits:\n", Map.of());

    assertThat(config.server()).isEqualTo(ServerConfig.defaults().withPort(7000));
    assertThat(config.limits()).isEqualTo(LimitsConfig.defaults());
    assertThat(config.plugins()).isEqualTo(PluginsConfig.defaults());
    assertThat(config.providers()).isEmpty();
    assertThat(config.routes()).isEmpty();
    assertThat(config.defaultProvider()).isEmpty();
  }

  @Test
  void parse_fullExample_bindsEveryField() {
    GatewayConfig config = ConfigLoader.parse(FULL_EXAMPLE, ENV);

    assertThat(config.server())
        .isEqualTo(
            new ServerConfig(
                "127.0.0.1",
                6000,
                8,
                3,
                Duration.ofMinutes(2),
                Duration.ofMillis(500),
                Duration.ofSeconds(5),
                32 * 1024 * 1024,
                50,
                Duration.ZERO,
                TlsConfig.defaults()));
    assertThat(config.limits()).isEqualTo(new LimitsConfig(1024 * 1024, 100, 0, 4));
    assertThat(config.defaultProvider()).isEqualTo("my-openai");
    assertThat(config.plugins().directory()).isEqualTo(Path.of("/opt/gateway/plugins"));

    ProviderConfig openai = config.providers().get(0);
    assertThat(openai.name()).isEqualTo("my-openai");
    assertThat(openai.type()).isEqualTo("openai");
    assertThat(openai.aliases()).containsExactly("gpt", "chatgpt");
    assertThat(openai.baseUrl()).isEqualTo("https://api.example.com/v1");
    assertThat(openai.apiKey().reveal()).isEqualTo("sk-test-123");
    assertThat(openai.defaultModel()).isEqualTo("gpt-4o-mini");
    assertThat(openai.models()).containsExactly("gpt-4o-mini", "gpt-4o");
    assertThat(openai.options())
        .containsEntry("organization", "acme")
        .containsEntry("retries", 3)
        .containsEntry("ratio", 0.5)
        .containsEntry("stream", true)
        .containsEntry("extra", List.of("a", Map.of("b", "c")))
        .containsEntry("none", null);
    assertThat(openai.breaker()).isEqualTo(new BreakerConfig(7, Duration.ofHours(1), 4, 4));

    assertThat(config.providers().get(1)).isEqualTo(ProviderConfig.of("echo", "echo"));
    assertThat(config.routes().keySet()).containsExactly("fast", "fast.v2");
    assertThat(config.routes().get("fast").targets())
        .containsExactly(
            new RouteConfig.RouteTarget("my-openai", "gpt-4o-mini"),
            new RouteConfig.RouteTarget("echo", ""));
    assertThat(config.routes().get("fast.v2").targets())
        .containsExactly(new RouteConfig.RouteTarget("gpt"));
  }

  @Test
  void parse_fullExample_resultIsDeeplyUnmodifiable() {
    GatewayConfig config = ConfigLoader.parse(FULL_EXAMPLE, ENV);

    @SuppressWarnings("unchecked")
    List<Object> extra = (List<Object>) config.providers().get(0).options().get("extra");
    assertThatThrownBy(() -> config.providers().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> config.routes().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> extra.add("more")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void load_file_bindsAndNamesFileInErrors(@TempDir Path dir) throws Exception {
    Path good = Files.writeString(dir.resolve("gateway.yaml"), FULL_EXAMPLE);
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "server: {port: 70000}\n");

    assertThat(ConfigLoader.load(good, ENV)).isEqualTo(ConfigLoader.parse(FULL_EXAMPLE, ENV));
    assertThatThrownBy(() -> ConfigLoader.load(bad, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(bad + ": server.port: 70000 is out of range, expected 0..65535");
  }

  @Test
  void load_missingFile_failsNamingFile(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");

    assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config file " + missing + " does not exist");
  }

  @Test
  void parse_invalidYaml_failsWithLineButWithoutQuotingTheLine() {
    String yaml = "providers:\n  - name: a\n    api_key: sk-LEAKED-VALUE: oops\n";

    assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("<inline>: invalid YAML at line 3")
        .hasNoCause()
        .message()
        .doesNotContain("LEAKED");
  }

  @Test
  void parse_duplicateKey_fails() {
    assertThatThrownBy(() -> ConfigLoader.parse("server: {port: 1, port: 2}", Map.of()))
        .hasMessageContaining("<inline>: invalid YAML")
        .hasMessageContaining("Duplicate field 'port'");
  }

  @Test
  void parse_yamlAlias_failsRatherThanReadingAnchorName() {
    String yaml = "server: {host: &h localhost}\nproviders: [{name: a, type: *h}]\n";

    assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of()))
        .hasMessageStartingWith("<inline>: YAML aliases are not supported at line 2");
  }

  @Test
  void parse_secondDocument_failsRatherThanBeingIgnored() {
    assertThatThrownBy(
            () -> ConfigLoader.parse("server: {port: 1}\n---\nserver: {port: 2}\n", Map.of()))
        .hasMessageStartingWith("<inline>: more than one YAML document");
  }

  @Test
  void parse_trailingEmptyDocument_isIgnored() {
    assertThat(ConfigLoader.parse("server: {port: 1}\n---\n", Map.of()).server().port())
        .isEqualTo(1);
  }

  @Test
  void parse_numericStringForInteger_isAccepted() {
    assertThat(ConfigLoader.parse("server: {port: '8080'}", Map.of()).server().port())
        .isEqualTo(8080);
  }

  @Test
  void parse_resilienceSection_bindsEveryKey() {
    GatewayConfig config =
        ConfigLoader.parse(
            "resilience:\n"
                + "  max_retries: 1\n  retry_base_delay: 10ms\n  retry_max_delay: 1s\n  retry_jitter_percent: 0\n"
                + "  retry_budget_percent: 50\n  retry_budget_min_per_second: 2\n  default_deadline: 30s\n"
                + "  first_token_timeout: 5s\n  idle_timeout: 6s\n  rate_limit_cooldown: 1s\n  quota_cooldown: 2s\n"
                + "  max_concurrent_calls: 10\n  max_concurrent_per_provider: 5\n",
            java.util.Map.of());

    ResilienceConfig r = config.resilience();
    org.assertj.core.api.Assertions.assertThat(r)
        .isEqualTo(
            ResilienceConfig.builder()
                .retries(1, java.time.Duration.ofMillis(10), java.time.Duration.ofSeconds(1), 0)
                .retryBudget(50, 2)
                .timeouts(
                    java.time.Duration.ofSeconds(30),
                    java.time.Duration.ofSeconds(5),
                    java.time.Duration.ofSeconds(6))
                .cooldowns(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(2))
                .concurrency(10, 5)
                .build());
  }

  @Test
  void parse_resilienceOutOfRange_namesKeyAndRange() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ConfigLoader.parse("resilience:\n  max_retries: 11\n", java.util.Map.of()))
        .hasMessageContaining("resilience.max_retries")
        .hasMessageContaining("0..10");
  }
}
