package dev.providergateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretTest {

  private static final String VALUE = "sk-DISTINCTIVE-7f3a9c";

  @Test
  void toString_anySecret_hidesValue() {
    assertThat(Secret.of(VALUE)).hasToString("Secret[***]");
  }

  @Test
  void reveal_secret_returnsValue() {
    assertThat(Secret.of(VALUE).reveal()).isEqualTo(VALUE);
  }

  @Test
  void equals_sameValue_isEqual() {
    assertThat(Secret.of(VALUE)).isEqualTo(Secret.of(VALUE)).hasSameHashCodeAs(Secret.of(VALUE));
    assertThat(Secret.of(VALUE)).isNotEqualTo(Secret.of("other"));
  }

  @Test
  void toString_configsHoldingSecret_hideValue() {
    String yaml = "providers: [{name: p, type: openai, api_key: '${KEY}'}]";
    GatewayConfig config = ConfigLoader.parse(yaml, Map.of("KEY", VALUE));

    assertThat(config.providers().get(0).apiKey().reveal()).isEqualTo(VALUE);
    assertThat(config.toString()).doesNotContain(VALUE).contains("Secret[***]");
    assertThat(config.providers().get(0).toString()).doesNotContain(VALUE);
  }

  @Test
  void parse_errorsAroundSecret_neverShowValue() {
    List<String> badFiles =
        List.of(
            // The failing check is elsewhere, with the secret already bound.
            "providers: [{name: p, type: openai, api_key: " + VALUE + ", base_url: nope}]",
            "providers: [{name: p, type: openai, api_key: " + VALUE + "}, {name: p, type: x}]",
            // The secret itself is malformed.
            "providers: [{name: p, type: openai, api_key: [" + VALUE + "]}]",
            "providers: [{name: p, type: openai, api_key: '" + VALUE + "${'}]",
            "providers: [{name: p, type: openai, api_key: '${" + VALUE + "}'}]",
            "providers:\n- name: p\n  api_key: " + VALUE + ": x\n");
    for (String yaml : badFiles) {
      assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of()))
          .as(yaml)
          .isInstanceOf(ConfigException.class)
          .satisfies(e -> assertThat(stackTraceText(e)).doesNotContain(VALUE));
    }
  }

  private static String stackTraceText(Throwable e) {
    var out = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(out));
    return out.toString();
  }
}
