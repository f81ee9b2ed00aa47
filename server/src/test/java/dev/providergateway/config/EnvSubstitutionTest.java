package dev.providergateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvSubstitutionTest {

  private static final Map<String, String> ENV =
      Map.of("HOST", "api.example.com", "PORT", "7001", "EMPTY", "", "KEY", "sk-xyz");

  private static String substitute(String text) {
    return EnvSubstitution.substitute(text, ENV, "some.key", false);
  }

  @Test
  void substitute_wholeValue_isReplaced() {
    assertThat(substitute("${HOST}")).isEqualTo("api.example.com");
  }

  @Test
  void substitute_embeddedReferences_areReplaced() {
    assertThat(substitute("https://${HOST}:${PORT}/v1"))
        .isEqualTo("https://api.example.com:7001/v1");
  }

  @Test
  void substitute_unsetWithDefault_usesDefault() {
    assertThat(substitute("${MISSING:-fallback value}")).isEqualTo("fallback value");
    assertThat(substitute("${MISSING:-}")).isEmpty();
  }

  @Test
  void substitute_emptyWithDefault_usesDefaultLikeTheShell() {
    assertThat(substitute("${EMPTY:-x}")).isEqualTo("x");
    assertThat(substitute("${EMPTY}")).isEmpty();
  }

  @Test
  void substitute_setWithDefault_usesVariable() {
    assertThat(substitute("${HOST:-other}")).isEqualTo("api.example.com");
  }

  @Test
  void substitute_escapedReference_isLiteral() {
    assertThat(substitute("$${HOST} costs $5")).isEqualTo("${HOST} costs $5");
  }

  @Test
  void substitute_unterminatedReference_failsNamingPath() {
    assertThatThrownBy(() -> substitute("abc ${HOST"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "some.key: unterminated ${ at character 5, expected ${VAR} or"
                + " ${VAR:-default} (write $${ for a literal ${)");
  }

  @Test
  void substitute_invalidName_failsShowingReferenceUnlessSecret() {
    assertThatThrownBy(() -> substitute("${1BAD}"))
        .hasMessageStartingWith("some.key: invalid environment variable reference \"${1BAD}\"");
    assertThatThrownBy(() -> EnvSubstitution.substitute("${sk-secret}", ENV, "api_key", true))
        .message()
        .doesNotContain("sk-secret");
  }

  @Test
  void parse_missingVariable_failsNamingPathAndVariable() {
    String yaml =
        "providers:\n  - name: my-openai\n    type: openai\n    api_key: ${OPENAI_API_KEY}\n";

    assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "<inline>: providers[0].api_key: environment variable OPENAI_API_KEY is not"
                + " set (referenced as ${OPENAI_API_KEY})");
  }

  @Test
  void parse_referencesEverywhere_areSubstitutedBeforeBinding() {
    String yaml =
        """
        server: {host: '${HOST}', port: '${PORT}'}
        auth: {enabled: '${AUTH:-false}'}
        providers:
          - name: p
            type: openai
            base_url: https://${HOST}/v1
            api_key: ${KEY}
            models: ['${MODEL:-m1}', '$${literal}']
            options: {nested: {url: 'http://${HOST}'}}
        """;

    GatewayConfig config = ConfigLoader.parse(yaml, ENV);

    assertThat(config.server().host()).isEqualTo("api.example.com");
    assertThat(config.server().port()).isEqualTo(7001);
    ProviderConfig provider = config.providers().get(0);
    assertThat(provider.baseUrl()).isEqualTo("https://api.example.com/v1");
    assertThat(provider.apiKey()).isEqualTo(Secret.of("sk-xyz"));
    assertThat(provider.models()).containsExactly("m1", "${literal}");
    assertThat(provider.options())
        .isEqualTo(Map.of("nested", Map.of("url", "http://api.example.com")));
  }

  @Test
  void parse_emptyOptionalValue_meansUnset() {
    String yaml =
        "providers: [{name: p, type: t, api_key: '${NO_KEY:-}', base_url: '${NO_URL:-}'}]";

    ProviderConfig provider = ConfigLoader.parse(yaml, Map.of()).providers().get(0);

    assertThat(provider.apiKey()).isNull();
    assertThat(provider.baseUrl()).isNull();
  }

  @Test
  void parse_substitutedValueOfWrongType_failsNamingPathAndValue() {
    assertThatThrownBy(() -> ConfigLoader.parse("server: {port: '${HOST}'}", ENV))
        .hasMessage("<inline>: server.port: expected an integer, got string \"api.example.com\"");
  }
}
