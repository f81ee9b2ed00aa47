package dev.providergateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The messages of {@link ConfigLoader#parse} for files that parse but are not valid configs. */
class ConfigValidationTest {

  @Test
  void parse_unknownTopLevelKey_failsNamingKeyAndAllowedKeys() {
    assertThatThrownBy(() -> ConfigLoader.parse("servers: {}\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "<inline>: servers: unknown key (did you mean server?), expected one of the keys"
                + " allowed at the top level: server, limits, resilience, default_provider, providers,"
                + " routes, plugins, auth, metrics, tracing, logging, state, http, pricing");
  }

  @Test
  void parse_unknownNestedKey_failsNamingPathAndAllowedKeys() {
    String yaml = "providers:\n  - {name: a, type: echo, bse_url: 'http://x'}\n";

    assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "<inline>: providers[0].bse_url: unknown key (did you mean base_url?)")
        .hasMessageContaining(
            "allowed under providers[0]: name, type, aliases, base_url, api_key,"
                + " default_model, models, options, breaker");
  }

  @Test
  void parse_unknownBreakerKey_failsNamingDeepPath() {
    String yaml =
        "providers:\n  - {name: a, type: echo}\n  - {name: b, type: echo, breaker: {x: 1}}\n";

    assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of()))
        .hasMessageStartingWith("<inline>: providers[1].breaker.x: unknown key")
        .hasMessageContaining("failure_threshold, open_duration");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "server: {port: abc}            | server.port: expected an integer, got string \"abc\"",
        "server: {port: 1.5}            | server.port: expected an integer, got number 1.5",
        "server: {host: [a]}            | server.host: expected a string",
        "server: [1, 2]                 | server: expected a mapping, got a list",
        "providers: {name: a}           | providers: expected a list, got a mapping",
        "routes: [a]                    | routes: expected a mapping, got a list",
        "'- 1'                          | <top level>: expected a mapping, got a list",
        "providers: [{name: 5, type: x}] | providers[0].name: expected a string",
      })
  void parse_wrongType_failsNamingPathValueAndExpectedType(String yaml, String message) {
    assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "server: {port: -1}                                | server.port: -1 is out of range, expected 0..65535",
        "server: {port: 65536}                             | server.port: 65536 is out of range, expected 0..65535",
        "server: {executor_threads: 1025}                  | server.executor_threads: 1025 is out of range, expected 0..1024",
        "server: {io_threads: 257}                        | server.io_threads: 257 is out of range, expected 0..256",
        "server: {max_inbound_message_bytes: 1023}         | server.max_inbound_message_bytes: 1023 is out of range, expected 1024..1073741824",
        "server: {max_concurrent_calls_per_connection: 0}  | server.max_concurrent_calls_per_connection: 0 is out of range, expected 1..1000000",
        "limits: {max_request_bytes: 100}                  | limits.max_request_bytes: 100 is out of range, expected 1024..1073741824",
        "limits: {max_request_bytes: 16777217}             | limits.max_request_bytes: 16777217 is out of range, expected 1024..16777216 (at most server.max_inbound_message_bytes)",
        "limits: {max_messages: 0}                         | limits.max_messages: 0 is out of range, expected 1..100000",
        "limits: {max_tools: 10001}                        | limits.max_tools: 10001 is out of range, expected 0..10000",
        "limits: {max_turns_per_stream: 2000}              | limits.max_turns_per_stream: 2000 is out of range, expected 1..1024",
        "providers: [{name: a, type: b, breaker: {failure_threshold: 0}}] | providers[0].breaker.failure_threshold: 0 is out of range, expected at least 1",
        "providers: [{name: a, type: b, breaker: {half_open_calls: 0}}]   | providers[0].breaker.half_open_calls: 0 is out of range, expected at least 1",
        "providers: [{name: a, type: b, breaker: {half_open_successes_to_close: 4}}] | providers[0].breaker.half_open_successes_to_close: 4 is out of range, expected 1..3",
      })
  void parse_outOfRange_failsNamingRange(String yaml, String message) {
    assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("<inline>: " + message);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "providers: [{name: a, type: b, breaker: {failure_threshold: 50000000}}] | providers[0].breaker.failure_threshold: 50000000 is out of range, expected at most 1000",
        "providers: [{name: a, type: b, breaker: {half_open_calls: 50000000}}]   | providers[0].breaker.half_open_calls: 50000000 is out of range, expected at most 1000",
        "providers: [{name: a, type: b, breaker: {open_duration: 400d}}]         | providers[0].breaker.open_duration: 9600h is out of range, expected at most 24h",
        "resilience: {retry_base_delay: 2h}                 | resilience.retry_base_delay: 2h is out of range, expected at most 1h",
        "resilience: {retry_max_delay: 2h}                  | resilience.retry_max_delay: 2h is out of range, expected at most 1h",
        "resilience: {default_deadline: 300000d}            | resilience.default_deadline: 7200000h is out of range, expected at most 168h",
        "resilience: {first_token_timeout: 2h}              | resilience.first_token_timeout: 2h is out of range, expected at most 1h",
        "resilience: {idle_timeout: 2h}                     | resilience.idle_timeout: 2h is out of range, expected at most 1h",
        "resilience: {rate_limit_cooldown: 2d}              | resilience.rate_limit_cooldown: 48h is out of range, expected at most 24h",
        "resilience: {quota_cooldown: 2d}                   | resilience.quota_cooldown: 48h is out of range, expected at most 24h",
        "server: {keepalive_time: 2d}                       | server.keepalive_time: 48h is out of range, expected at most 24h",
        "server: {keepalive_timeout: 2h}                    | server.keepalive_timeout: 2h is out of range, expected at most 1h",
        "server: {permit_keepalive_time: 2d}                | server.permit_keepalive_time: 48h is out of range, expected at most 24h",
        "server: {shutdown_grace: 2h}                       | server.shutdown_grace: 2h is out of range, expected at most 1h",
        "server: {handshake_timeout: 10m}                   | server.handshake_timeout: 10m is out of range, expected at most 5m",
        "server: {max_connections: 2000000}                 | server.max_connections: 2000000 is out of range, expected 1..1000000",
        "server: {max_connections_per_ip: 2000000}          | server.max_connections_per_ip: 2000000 is out of range, expected 0..1000000",
        "server: {max_resets_per_window: 2000000}           | server.max_resets_per_window: 2000000 is out of range, expected 0..1000000",
        "server: {reset_window: 2h}                         | server.reset_window: 2h is out of range, expected whole seconds in 1s..1h",
        "server: {tls: {refresh_interval: 2d}}              | server.tls.refresh_interval: 48h is out of range, expected at most 24h",
        "auth: {keys: [{id: a, key_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, requests_per_minute: 200000000}]} | auth.keys[0].requests_per_minute: 200000000 is out of range, expected 0..100000000",
        "auth: {keys: [{id: a, key_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, tokens_per_minute: -1}]}        | auth.keys[0].tokens_per_minute: -1 is out of range, expected 0..2147483647",
        "metrics: {port: 70000}                             | metrics.port: 70000 is out of range, expected 0..65535",
        "tracing: {sample_ratio: 2}                         | tracing.sample_ratio: 2.0 is out of range, expected 0.0..1.0",
      })
  void parse_aboveUpperBound_failsNamingTheBound(String yaml, String message) {
    assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("<inline>: " + message);
  }

  @Test
  void parse_badDuration_failsNamingPathValueAndFormat() {
    String yaml =
        "providers:\n  - {name: a, type: b}\n  - {name: c, type: d, breaker: {open_duration: soon}}\n";

    assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of()))
        .hasMessage(
            "<inline>: providers[1].breaker.open_duration: expected a duration like 500ms,"
                + " 30s, 2m, 1h or PT30S, got string \"soon\"");
  }

  @Test
  void parse_zeroDuration_rejectedExceptForShutdownGrace() {
    assertThat(
            ConfigLoader.parse("server: {shutdown_grace: 0s}", Map.of()).server().shutdownGrace())
        .isZero();
    assertThatThrownBy(() -> ConfigLoader.parse("server: {keepalive_time: 0ms}", Map.of()))
        .hasMessage(
            "<inline>: server.keepalive_time: 0s is out of range, expected a duration"
                + " greater than 0");
  }

  @Test
  void parse_duplicateProviderName_failsNamingBothEntries() {
    String yaml = "providers:\n  - {name: a, type: echo}\n  - {name: a, type: echo}\n";

    assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of()))
        .hasMessage(
            "<inline>: providers[1].name: \"a\" is already used by providers[0].name,"
                + " expected provider names and aliases to be unique");
  }

  @Test
  void parse_aliasClashingWithName_failsNamingAlias() {
    String yaml =
        "providers:\n  - {name: a, type: echo}\n  - {name: b, type: echo, aliases: [c, a]}\n";

    assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of()))
        .hasMessageStartingWith(
            "<inline>: providers[1].aliases[1]: \"a\" is already used by" + " providers[0].name");
  }

  @Test
  void parse_missingProviderName_failsNamingKey() {
    assertThatThrownBy(() -> ConfigLoader.parse("providers: [{type: echo}]", Map.of()))
        .hasMessageStartingWith(
            "<inline>: providers[0].name: required key is missing, expected a"
                + " name matching ^[a-z][a-z0-9_-]{0,62}$");
  }

  @Test
  void parse_badProviderName_failsNamingPattern() {
    assertThatThrownBy(() -> ConfigLoader.parse("providers: [{name: My-AI, type: echo}]", Map.of()))
        .hasMessageStartingWith(
            "<inline>: providers[0].name: \"My-AI\" is not valid, expected a" + " name matching");
  }

  @Test
  void parse_badBaseUrl_failsNamingValue() {
    String yaml = "providers: [{name: a, type: b, base_url: 'ftp://example.com'}]";

    assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of()))
        .hasMessageStartingWith(
            "<inline>: providers[0].base_url: \"ftp://example.com\" is not"
                + " valid, expected an absolute http or https URL");
  }

  @Test
  void parse_routeWithoutTargets_fails() {
    assertThatThrownBy(() -> ConfigLoader.parse("routes: {fast: {targets: []}}", Map.of()))
        .hasMessage(
            "<inline>: routes.fast.targets: the list is empty, expected at least one target");
    assertThatThrownBy(() -> ConfigLoader.parse("routes: {fast: {}}", Map.of()))
        .hasMessageStartingWith("<inline>: routes.fast.targets: required key is missing");
  }

  @Test
  void parse_routeTargetWithoutProvider_failsNamingPath() {
    String yaml = "routes:\n  fast.v2:\n    targets: [{model: m}]\n";

    assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of()))
        .hasMessageStartingWith(
            "<inline>: routes[\"fast.v2\"].targets[0].provider: required key" + " is missing");
  }

  @Test
  void parse_badRouteName_failsNamingPattern() {
    assertThatThrownBy(
            () -> ConfigLoader.parse("routes: {Fast: {targets: [{provider: a}]}}", Map.of()))
        .hasMessageStartingWith(
            "<inline>: routes.Fast: \"Fast\" is not valid, expected a name"
                + " matching ^[a-z][a-z0-9_.-]{0,62}$");
  }

  @Test
  void parse_routeBalanceAndWeight_failNamingTheKey() {
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    "routes: {fast: {balance: round_robin, targets: [{provider: a}]}}", Map.of()))
        .hasMessage(
            "<inline>: routes.fast.balance: \"round_robin\" is not valid, expected one of"
                + " ordered, weighted_random, least_in_flight, lowest_latency");
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    "routes: {fast: {targets: [{provider: a}, {provider: b, weight: 0}]}}",
                    Map.of()))
        .hasMessage("<inline>: routes.fast.targets[1].weight: 0 is out of range, expected 1..1000");
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    "routes: {fast: {targets: [{provider: a, weight: 1001}]}}", Map.of()))
        .hasMessage(
            "<inline>: routes.fast.targets[0].weight: 1001 is out of range, expected 1..1000");
  }

  @Test
  void parse_routeBalance_defaultsToOrderedAndBindsWeights() {
    var config =
        ConfigLoader.parse(
            "routes: {fast: {balance: least_in_flight, targets: [{provider: a, weight: 3},"
                + " {provider: b}]}, slow: {targets: [{provider: a}]}}",
            Map.of());

    var fast = config.routes().get("fast");
    assertThat(fast.balance()).isEqualTo(RouteConfig.Balance.LEAST_IN_FLIGHT);
    assertThat(fast.targets()).extracting(RouteConfig.RouteTarget::weight).containsExactly(3, 1);
    assertThat(config.routes().get("slow").balance()).isEqualTo(RouteConfig.Balance.ORDERED);
  }
}
