package dev.providergateway.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.TestTransport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Registration: the API-key and base-URL environment variables, options validation. */
class GeminiProviderFactoryTest {
  private final GeminiProviderFactory factory = new GeminiProviderFactory();

  @Test
  void autoConfigure_noKey_registersNothing() {
    assertThat(factory.autoConfigure(Map.of("OPENAI_API_KEY", "sk-x"))).isEmpty();
  }

  @Test
  void autoConfigure_geminiApiKey_registersGeminiWithGoogleDefaultBase() {
    List<ProviderSettings> auto = factory.autoConfigure(Map.of("GEMINI_API_KEY", "g-key"));

    assertThat(auto)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.name()).isEqualTo("gemini");
              assertThat(s.type()).isEqualTo("gemini");
              assertThat(s.apiKey()).isEqualTo("g-key");
              assertThat(s.baseUrl()).isEqualTo("https://generativelanguage.googleapis.com");
            });
  }

  @Test
  void autoConfigure_bothKeys_googleApiKeyWinsAsInGooglesSdks() {
    assertThat(
            factory
                .autoConfigure(Map.of("GEMINI_API_KEY", "g-key", "GOOGLE_API_KEY", "google-key"))
                .get(0)
                .apiKey())
        .isEqualTo("google-key");
  }

  @Test
  void autoConfigure_baseUrlVariables_googleGeminiBaseUrlWins() {
    Map<String, String> env =
        Map.of(
            "GOOGLE_API_KEY",
            "k",
            "GEMINI_BASE_URL",
            "https://b.example",
            "GOOGLE_GEMINI_BASE_URL",
            "https://a.example");

    assertThat(factory.autoConfigure(env).get(0).baseUrl()).isEqualTo("https://a.example");
    assertThat(
            factory
                .autoConfigure(
                    Map.of("GOOGLE_API_KEY", "k", "GEMINI_BASE_URL", "https://b.example"))
                .get(0)
                .baseUrl())
        .isEqualTo("https://b.example");
  }

  @Test
  void create_configuredWithoutBaseUrlOrKey_usesEnvironment() throws Exception {
    try (FakeUpstream upstream = FakeUpstream.start()) {
      upstream.enqueue(GeminiContractTest.json(GeminiContractTest.text("ok"), "STOP"));
      Provider p =
          factory.create(
              TestTransport.settings("g", "gemini")
                  .defaultModel("gemini-2.5-pro")
                  .env(
                      Map.of(
                          "GOOGLE_GEMINI_BASE_URL",
                          upstream.baseUri().toString(),
                          "GEMINI_API_KEY",
                          "env-key"))
                  .build());

      p.chat(
              ChatRequest.builder("gemini-2.5-pro").addMessage(Message.of(Role.USER, "hi")).build(),
              new CallContext("r", null))
          .get(10, TimeUnit.SECONDS);

      var request = upstream.takeRequest();
      assertThat(request.path()).isEqualTo("/v1beta/models/gemini-2.5-pro:generateContent");
      assertThat(request.header("x-goog-api-key")).isEqualTo("env-key");
      assertThat(p.descriptor().defaultModel()).isEqualTo("gemini-2.5-pro");
    }
  }

  @Test
  void create_badOptions_illegalArgumentNamingTheOption() {
    assertThatThrownBy(() -> create(Map.of("include_thoughts", "yes")))
        .hasMessageContaining("options.include_thoughts");
    assertThatThrownBy(() -> create(Map.of("api_version", "beta")))
        .hasMessageContaining("options.api_version");
    assertThatThrownBy(() -> create(Map.of("headers", Map.of("x-secret", 42))))
        .hasMessageContaining("options.headers")
        .hasMessageNotContaining("42");
  }

  @Test
  void toString_hidesTheKey() {
    Provider p = create(Map.of());

    assertThat(p + " " + p.descriptor()).doesNotContain("secret-k");
  }

  private Provider create(Map<String, Object> options) {
    return factory.create(
        TestTransport.settings("g", "gemini").apiKey("secret-k").options(options).build());
  }
}
