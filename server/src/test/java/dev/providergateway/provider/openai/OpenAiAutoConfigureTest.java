package dev.providergateway.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.ModelInfo;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.openai.OpenAiPreset.Kind;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Automatic registration of every OpenAI-compatible preset from the environment. */
class OpenAiAutoConfigureTest {
  static Stream<OpenAiPreset> keyedPresets() {
    return OpenAiPreset.ALL.stream()
        .filter(p -> p.kind() == Kind.OFFICIAL || p.kind() == Kind.HOSTED);
  }

  static Stream<OpenAiPreset> localPresets() {
    return OpenAiPreset.ALL.stream().filter(p -> p.kind() == Kind.LOCAL);
  }

  static Stream<OpenAiPreset> allPresets() {
    return OpenAiPreset.ALL.stream();
  }

  static ProviderFactory factory(OpenAiPreset preset) {
    return OpenAiFixtures.factory(preset.name());
  }

  static OpenAiProvider create(OpenAiPreset preset, ProviderSettings settings) {
    return (OpenAiProvider) factory(preset).create(OpenAiFixtures.onTestTransport(settings));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allPresets")
  void serviceLoader_preset_hasFactoryOfItsType(OpenAiPreset preset) {
    assertThat(factory(preset))
        .as("META-INF/services lists a factory of type %s", preset.name())
        .isInstanceOf(OpenAiProviderFactory.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keyedPresets")
  void autoConfigure_keySet_registersPresetAtDefaultBaseUrl(OpenAiPreset preset) {
    List<ProviderSettings> auto = factory(preset).autoConfigure(Map.of(preset.keyEnv(), "key-123"));

    assertThat(auto)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.name()).isEqualTo(preset.name());
              assertThat(s.type()).isEqualTo(preset.name());
              assertThat(s.baseUrl()).isEqualTo(preset.baseUrl());
              assertThat(s.apiKey()).isEqualTo("key-123");
            });
    OpenAiProvider provider = create(preset, auto.get(0));
    assertThat(provider.name()).isEqualTo(preset.name());
    assertThat(provider.descriptor().wireType()).isEqualTo("openai");
    assertThat(provider.descriptor().defaultModel()).isEqualTo(preset.defaultModel());
    assertThat(provider.descriptor().models())
        .extracting(ModelInfo::id)
        .startsWith(preset.defaultModel())
        .containsAll(preset.models());
    assertThat(OpenAiFixtures.endpoint(provider, "m"))
        .isEqualTo(URI.create(preset.baseUrl() + "/chat/completions"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keyedPresets")
  void autoConfigure_baseUrlVariableSet_overridesDefault(OpenAiPreset preset) {
    Map<String, String> env =
        Map.of(preset.keyEnv(), "key-123", preset.baseUrlEnv(), "https://proxy.example.com/v1/");

    OpenAiProvider provider = create(preset, factory(preset).autoConfigure(env).get(0));

    assertThat(preset.baseUrlEnv()).isEqualTo(preset.envPrefix() + "_BASE_URL");
    assertThat(OpenAiFixtures.endpoint(provider, "m"))
        .isEqualTo(URI.create("https://proxy.example.com/v1/chat/completions"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allPresets")
  void autoConfigure_noVariables_registersNothing(OpenAiPreset preset) {
    assertThat(factory(preset).autoConfigure(Map.of("PATH", "/usr/bin"))).isEmpty();
  }

  @Test
  void autoConfigure_blankKey_registersNothing() {
    assertThat(OpenAiFixtures.factory("groq").autoConfigure(Map.of("GROQ_API_KEY", "  ")))
        .isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("localPresets")
  void autoConfigure_localServerWithoutBaseUrl_registersNothing(OpenAiPreset preset) {
    assertThat(factory(preset).autoConfigure(Map.of(preset.keyEnv(), "token"))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("localPresets")
  void autoConfigure_localServerWithBaseUrl_registersWithoutKey(OpenAiPreset preset) {
    List<ProviderSettings> auto =
        factory(preset).autoConfigure(Map.of(preset.baseUrlEnv(), "http://gpu-box:9000/v1"));

    assertThat(auto)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.name()).isEqualTo(preset.name());
              assertThat(s.apiKey()).isNull();
            });
    OpenAiProvider provider = create(preset, auto.get(0));
    assertThat(OpenAiFixtures.endpoint(provider, "m"))
        .isEqualTo(URI.create("http://gpu-box:9000/v1/chat/completions"));
    assertThat(provider.settings().streamUsage()).isTrue();
    assertThat(provider.settings().officialOpenAi()).isFalse();
  }

  @Test
  void localPresets_defaultBaseUrls_areTheServersOwnPorts() {
    assertThat(localPresets().map(OpenAiPreset::baseUrl))
        .containsExactly(
            "http://localhost:8000/v1", "http://localhost:1234/v1", "http://localhost:8080/v1");
    assertThat(localPresets().map(OpenAiPreset::baseUrlEnv))
        .containsExactly("VLLM_BASE_URL", "LMSTUDIO_BASE_URL", "LLAMACPP_BASE_URL");
  }

  @Test
  void autoConfigure_azureKeyAndEndpoint_registersDeploymentProvider() {
    Map<String, String> env =
        Map.of(
            "AZURE_OPENAI_API_KEY",
            "az-key",
            "AZURE_OPENAI_ENDPOINT",
            "https://res.openai.azure.com/");

    OpenAiProvider provider =
        create(OpenAiPreset.AZURE, OpenAiFixtures.factory("azure").autoConfigure(env).get(0));

    assertThat(provider.name()).isEqualTo("azure");
    assertThat(OpenAiFixtures.endpoint(provider, "my-gpt4o"))
        .isEqualTo(
            URI.create(
                "https://res.openai.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21"));
    assertThat(provider.settings().officialOpenAi()).isTrue();
  }

  @Test
  void autoConfigure_azureOpenAiApiVersionVariable_overridesDefault() {
    Map<String, String> env =
        Map.of(
            "AZURE_OPENAI_API_KEY",
            "az-key",
            "AZURE_OPENAI_ENDPOINT",
            "https://res.openai.azure.com",
            "OPENAI_API_VERSION",
            "2025-04-01-preview");

    OpenAiProvider provider =
        create(OpenAiPreset.AZURE, OpenAiFixtures.factory("azure").autoConfigure(env).get(0));

    assertThat(OpenAiFixtures.endpoint(provider, "d").getQuery())
        .isEqualTo("api-version=2025-04-01-preview");
  }

  @Test
  void autoConfigure_azureKeyWithoutEndpoint_registersNothing() {
    assertThat(
            OpenAiFixtures.factory("azure").autoConfigure(Map.of("AZURE_OPENAI_API_KEY", "az-key")))
        .isEmpty();
  }

  @Test
  void autoConfigure_azureEndpointWithoutKey_registersNothing() {
    assertThat(
            OpenAiFixtures.factory("azure")
                .autoConfigure(Map.of("AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com")))
        .isEmpty();
  }

  @Test
  void autoConfigure_openAi_usesOfficialParameterRules() {
    OpenAiProvider provider =
        create(
            OpenAiPreset.OPENAI,
            OpenAiFixtures.factory("openai")
                .autoConfigure(Map.of("OPENAI_API_KEY", "sk-x"))
                .get(0));

    assertThat(provider.settings().officialOpenAi()).isTrue();
    assertThat(provider.descriptor().capabilities().promptCaching()).isTrue();
  }

  @Test
  void autoConfigure_mistral_doesNotAskForStreamOptions() {
    OpenAiProvider provider =
        create(
            OpenAiPreset.named("mistral"),
            OpenAiFixtures.factory("mistral")
                .autoConfigure(Map.of("MISTRAL_API_KEY", "m-key"))
                .get(0));

    assertThat(provider.settings().streamUsage()).isFalse();
  }
}
