package dev.providergateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupOptionsTest {

  @TempDir Path dir;

  private Path configWithPort(String name, int port) throws Exception {
    return Files.writeString(dir.resolve(name), "server:\n  port: " + port + "\n");
  }

  private static int resolvedPort(String[] args, Map<String, String> env) {
    return StartupOptions.parse(args, env).resolve(env).server().port();
  }

  @Test
  void parse_nothing_givesDefaults() {
    StartupOptions options = StartupOptions.parse(new String[0], Map.of());

    assertThat(options).isEqualTo(new StartupOptions(null, null));
    assertThat(options.resolve(Map.of())).isEqualTo(GatewayConfig.defaults());
  }

  @Test
  void resolve_portSources_flagBeatsEnvBeatsFileBeatsDefault() throws Exception {
    String file = configWithPort("gateway.yaml", 6001).toString();
    Map<String, String> env = Map.of(StartupOptions.PORT_ENV, "6002");

    assertThat(resolvedPort(new String[] {"--config", file, "--port", "6003"}, env))
        .isEqualTo(6003);
    assertThat(resolvedPort(new String[] {"--config", file}, env)).isEqualTo(6002);
    assertThat(resolvedPort(new String[] {"--config", file}, Map.of())).isEqualTo(6001);
    assertThat(resolvedPort(new String[0], Map.of())).isEqualTo(50051);
  }

  @Test
  void parse_equalsForms_areAccepted() {
    StartupOptions options =
        StartupOptions.parse(new String[] {"--config=a.yaml", "--port=0"}, Map.of());

    assertThat(options.configFile()).isEqualTo(Path.of("a.yaml"));
    assertThat(options.portOverride()).isZero();
  }

  @Test
  void parse_configFlag_beatsConfigEnv() throws Exception {
    Path fromFlag = configWithPort("flag.yaml", 7001);
    Path fromEnv = configWithPort("env.yaml", 7002);
    Map<String, String> env = Map.of(StartupOptions.CONFIG_ENV, fromEnv.toString());

    assertThat(
            StartupOptions.parse(new String[] {"--config", fromFlag.toString()}, env).configFile())
        .isEqualTo(fromFlag);
    assertThat(StartupOptions.parse(new String[0], env).configFile()).isEqualTo(fromEnv);
    assertThat(resolvedPort(new String[0], env)).isEqualTo(7002);
  }

  @Test
  void parse_blankEnvVariables_countAsUnset() {
    Map<String, String> env = Map.of(StartupOptions.CONFIG_ENV, "", StartupOptions.PORT_ENV, " ");

    assertThat(StartupOptions.parse(new String[0], env)).isEqualTo(new StartupOptions(null, null));
  }

  @Test
  void parse_badPortFlag_failsNamingFlagValueAndRange() {
    assertThatThrownBy(() -> StartupOptions.parse(new String[] {"--port", "abc"}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "--port: \"abc\" is not a valid port, expected an integer port in 0..65535"
                + " (0 = any free port)");
  }

  @Test
  void parse_portFlagOutOfRange_failsNamingRange() {
    assertThatThrownBy(() -> StartupOptions.parse(new String[] {"--port=65536"}, Map.of()))
        .hasMessage(
            "--port: 65536 is out of range, expected an integer port in 0..65535"
                + " (0 = any free port)");
  }

  @Test
  void parse_badPortEnv_failsNamingVariable() {
    Map<String, String> env = Map.of(StartupOptions.PORT_ENV, "80a");

    assertThatThrownBy(() -> StartupOptions.parse(new String[0], env))
        .hasMessageStartingWith(
            "PROVIDER_GATEWAY_PORT: \"80a\" is not a valid port, expected an"
                + " integer port in 0..65535");
  }

  @Test
  void parse_badPortEnvWithFlag_isIgnored() {
    Map<String, String> env = Map.of(StartupOptions.PORT_ENV, "80a");

    assertThat(StartupOptions.parse(new String[] {"--port", "1"}, env).portOverride()).isEqualTo(1);
  }

  @Test
  void parse_unknownFlag_failsNamingFlagAndKnownFlags() {
    assertThatThrownBy(() -> StartupOptions.parse(new String[] {"--verbose"}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "unknown option \"--verbose\", expected one of --config PATH, --port N, --health-check, --help");
  }

  @Test
  void parse_positionalArgument_fails() {
    assertThatThrownBy(() -> StartupOptions.parse(new String[] {"gateway.yaml"}, Map.of()))
        .hasMessageStartingWith("unexpected argument \"gateway.yaml\"");
  }

  @Test
  void parse_flagWithoutValue_failsNamingFlag() {
    assertThatThrownBy(() -> StartupOptions.parse(new String[] {"--config"}, Map.of()))
        .hasMessage("--config: missing value, expected a path to a YAML config file");
    assertThatThrownBy(() -> StartupOptions.parse(new String[] {"--config="}, Map.of()))
        .hasMessage("--config: empty value, expected a path to a YAML config file");
  }

  @Test
  void parse_help_winsOverOtherArguments() {
    StartupOptions options = StartupOptions.parse(new String[] {"--bogus", "--help"}, Map.of());

    assertThat(options.helpRequested()).isTrue();
    assertThat(StartupOptions.usage()).contains("--config PATH").contains("--port N");
  }

  @Test
  void resolve_missingConfigFile_failsNamingFile() {
    Path missing = dir.resolve("missing.yaml");
    StartupOptions options =
        StartupOptions.parse(new String[] {"--config", missing.toString()}, Map.of());

    assertThatThrownBy(() -> options.resolve(Map.of()))
        .hasMessage("config file " + missing + " does not exist");
  }

  @Test
  void resolve_configFile_substitutesFromGivenEnv() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("env.yaml"), "server: {host: '${BIND:-::}'}\nauth: {enabled: false}\n");
    StartupOptions options = new StartupOptions(file, null);

    assertThat(options.resolve(Map.of()).server().host()).isEqualTo("::");
    assertThat(options.resolve(Map.of("BIND", "127.0.0.1")).server().host()).isEqualTo("127.0.0.1");
  }
}
