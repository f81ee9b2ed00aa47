package dev.providergateway.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.ModelInfo;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.ToolCallFormat;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.TestTransport;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Registration, configuration and the descriptor of Anthropic providers. */
class AnthropicProviderFactoryTest {
  private final AnthropicProviderFactory factory = new AnthropicProviderFactory();

  private static ProviderSettings settings(
      String baseUrl, Map<String, Object> options, Map<String, String> env) {
    return TestTransport.settings("claude", "anthropic")
        .baseUrl(baseUrl)
        .apiKey("sk-ant-x")
        .models(List.of("my-finetune"))
        .options(options)
        .env(env)
        .build();
  }

  @Test
  void serviceLoader_listsAnthropicFactory() {
    assertThat(ServiceLoader.load(ProviderFactory.class).stream().map(ServiceLoader.Provider::type))
        .contains(AnthropicProviderFactory.class);
  }

  @Test
  void autoConfigure_apiKeySet_registersAnthropic() {
    List<ProviderSettings> auto = factory.autoConfigure(Map.of("ANTHROPIC_API_KEY", "sk-ant-abc"));

    assertThat(auto)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.name()).isEqualTo("anthropic");
              assertThat(s.type()).isEqualTo("anthropic");
              assertThat(s.apiKey()).isEqualTo("sk-ant-abc");
            });
  }

  @Test
  void autoConfigure_noApiKey_registersNothing() {
    assertThat(factory.autoConfigure(Map.of("ANTHROPIC_API_KEY", " "))).isEmpty();
    assertThat(factory.autoConfigure(Map.of())).isEmpty();
  }

  @Test
  void create_baseUrlWithV1_requestsGoToV1MessagesOnce() throws Exception {
    try (FakeUpstream upstream = FakeUpstream.start()) {
      Provider p = factory.create(settings(upstream.baseUri() + "/v1/", Map.of(), Map.of()));

      assertThat(send(p, upstream).path()).isEqualTo("/v1/messages");
    }
  }

  @Test
  void create_noBaseUrl_usesAnthropicBaseUrlFromEnv() throws Exception {
    try (FakeUpstream upstream = FakeUpstream.start()) {
      Provider p =
          factory.create(
              settings(
                  null, Map.of(), Map.of("ANTHROPIC_BASE_URL", upstream.baseUri().toString())));

      assertThat(send(p, upstream).path()).isEqualTo("/v1/messages");
    }
  }

  @Test
  void create_noBaseUrlNoEnv_usesApiAnthropicCom() {
    assertThat(factory.create(settings(null, Map.of(), Map.of())).descriptor().description())
        .endsWith("api.anthropic.com");
  }

  @Test
  void create_descriptor_advertisesAnthropicCapabilitiesAndModels() {
    ProviderDescriptor d = factory.create(settings(null, Map.of(), Map.of())).descriptor();

    assertThat(d.wireType()).isEqualTo("anthropic");
    assertThat(d.defaultModel()).isEqualTo("claude-sonnet-4-5");
    assertThat(d.capabilities())
        .isEqualTo(new Capabilities(true, true, true, true, ToolCallFormat.ANTHROPIC, 200_000));
    assertThat(d.models())
        .extracting(ModelInfo::id)
        .startsWith("claude-sonnet-4-5")
        .contains("claude-opus-4-6", "claude-haiku-4-5", "my-finetune")
        .doesNotHaveDuplicates();
    assertThat(d.capabilitiesOf("claude-haiku-4-5").contextWindow()).isEqualTo(200_000);
    assertThat(d.demo()).isFalse();
  }

  @Test
  void create_unknownOption_rejectedNamingIt() {
    assertThatThrownBy(() -> factory.create(settings(null, Map.of("max_token", 10), Map.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("options.max_token")
        .hasMessageContaining("default_max_tokens");
  }

  @Test
  void create_badOptionValues_rejectedNamingOptionAndValue() {
    assertThatThrownBy(
            () -> factory.create(settings(null, Map.of("default_max_tokens", 0), Map.of())))
        .hasMessageContaining("options.default_max_tokens")
        .hasMessageContaining("was 0");
    assertThatThrownBy(() -> factory.create(settings(null, Map.of("anthropic_beta", 7), Map.of())))
        .hasMessageContaining("options.anthropic_beta");
    assertThatThrownBy(() -> factory.create(settings("ftp://example.com", Map.of(), Map.of())))
        .hasMessageContaining("base_url");
  }

  @Test
  void toString_hidesApiKey() {
    Provider p = factory.create(settings(null, Map.of(), Map.of()));

    assertThat(p + " " + p.descriptor()).doesNotContain("sk-ant-x");
  }

  @Test
  void supportsThinking_claude3And35_false_laterAndUnknown_true() {
    assertThat(AnthropicModels.supportsThinking("claude-3-5-haiku-latest")).isFalse();
    assertThat(AnthropicModels.supportsThinking("claude-3-haiku-20240307")).isFalse();
    assertThat(AnthropicModels.supportsThinking("claude-3-7-sonnet-latest")).isTrue();
    assertThat(AnthropicModels.supportsThinking("claude-sonnet-4-5")).isTrue();
    assertThat(AnthropicModels.supportsThinking("some-proxy-model")).isTrue();
  }

  private static FakeUpstream.RecordedRequest send(Provider p, FakeUpstream upstream)
      throws Exception {
    upstream.enqueue(AnthropicFixtures.text("ok"));
    p.chat(
            ChatRequest.builder("claude-sonnet-4-5")
                .addMessage(Message.of(Role.USER, "hi"))
                .build(),
            new CallContext("r", null))
        .get(10, TimeUnit.SECONDS);
    return upstream.takeRequest();
  }
}
