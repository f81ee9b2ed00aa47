package dev.providergateway.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.testing.EventCollector;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * One real chat and one real stream per hosted preset, against the live service with the preset's
 * default model. Each runs only when that preset's key variable is set, so CI (which has no keys)
 * skips them all; they cost a few tokens each. The base-URL variables apply as in production, so a
 * proxy can be used.
 */
@DisplayName(
    "Live OpenAI-family smoke tests (skipped unless the preset's API key variable is set; CI has none)")
class OpenAiLiveSmokeTest {

  private static void smoke(String type) throws Exception {
    ProviderFactory factory = OpenAiFixtures.factory(type);
    List<ProviderSettings> auto = factory.autoConfigure(System.getenv());
    assertThat(auto).as("auto-registration of %s from the environment", type).hasSize(1);
    try (Provider provider = factory.create(OpenAiFixtures.onTestTransport(auto.get(0)))) {
      String model = provider.descriptor().defaultModel();
      ChatRequest request =
          ChatRequest.builder(model)
              .addMessage(Message.of(Role.USER, "Reply with the single word: pong"))
              .maxTokens(256)
              .build();
      CallContext context = new CallContext("live-smoke", Instant.now().plusSeconds(60));

      CompletionResponse response = provider.chat(request, context).get(90, TimeUnit.SECONDS);
      assertThat(response.content() + response.reasoningContent()).isNotBlank();
      assertThat(response.usage().promptTokens()).isPositive();

      EventCollector events = EventCollector.of(provider.stream(request, context));
      assertThat(events.await()).isNull();
      assertThat(events.content() + events.reasoning()).isNotBlank();
      assertThat(events.finish()).isNotNull();
      assertThat(events.usage()).as("usage reported on the stream").isNotNull();
    }
  }

  @Test
  @DisplayName("openai (needs OPENAI_API_KEY)")
  @EnabledIfEnvironmentVariable(named = "OPENAI_API_KEY", matches = ".+")
  void live_openai_chatAndStreamAnswer() throws Exception {
    smoke("openai");
  }

  @Test
  @DisplayName(
      "azure (needs AZURE_OPENAI_API_KEY and AZURE_OPENAI_ENDPOINT, deployment gpt-4o-mini)")
  @EnabledIfEnvironmentVariable(named = "AZURE_OPENAI_API_KEY", matches = ".+")
  @EnabledIfEnvironmentVariable(named = "AZURE_OPENAI_ENDPOINT", matches = ".+")
  void live_azure_chatAndStreamAnswer() throws Exception {
    smoke("azure");
  }

  @Test
  @DisplayName("groq (needs GROQ_API_KEY)")
  @EnabledIfEnvironmentVariable(named = "GROQ_API_KEY", matches = ".+")
  void live_groq_chatAndStreamAnswer() throws Exception {
    smoke("groq");
  }

  @Test
  @DisplayName("deepseek (needs DEEPSEEK_API_KEY)")
  @EnabledIfEnvironmentVariable(named = "DEEPSEEK_API_KEY", matches = ".+")
  void live_deepseek_chatAndStreamAnswer() throws Exception {
    smoke("deepseek");
  }

  @Test
  @DisplayName("mistral (needs MISTRAL_API_KEY)")
  @EnabledIfEnvironmentVariable(named = "MISTRAL_API_KEY", matches = ".+")
  void live_mistral_chatAndStreamAnswer() throws Exception {
    smoke("mistral");
  }

  @Test
  @DisplayName("together (needs TOGETHER_API_KEY)")
  @EnabledIfEnvironmentVariable(named = "TOGETHER_API_KEY", matches = ".+")
  void live_together_chatAndStreamAnswer() throws Exception {
    smoke("together");
  }

  @Test
  @DisplayName("fireworks (needs FIREWORKS_API_KEY)")
  @EnabledIfEnvironmentVariable(named = "FIREWORKS_API_KEY", matches = ".+")
  void live_fireworks_chatAndStreamAnswer() throws Exception {
    smoke("fireworks");
  }

  @Test
  @DisplayName("openrouter (needs OPENROUTER_API_KEY)")
  @EnabledIfEnvironmentVariable(named = "OPENROUTER_API_KEY", matches = ".+")
  void live_openrouter_chatAndStreamAnswer() throws Exception {
    smoke("openrouter");
  }

  @Test
  @DisplayName("xai (needs XAI_API_KEY)")
  @EnabledIfEnvironmentVariable(named = "XAI_API_KEY", matches = ".+")
  void live_xai_chatAndStreamAnswer() throws Exception {
    smoke("xai");
  }

  @Test
  @DisplayName("cerebras (needs CEREBRAS_API_KEY)")
  @EnabledIfEnvironmentVariable(named = "CEREBRAS_API_KEY", matches = ".+")
  void live_cerebras_chatAndStreamAnswer() throws Exception {
    smoke("cerebras");
  }

  @Test
  @DisplayName("moonshot (needs MOONSHOT_API_KEY)")
  @EnabledIfEnvironmentVariable(named = "MOONSHOT_API_KEY", matches = ".+")
  void live_moonshot_chatAndStreamAnswer() throws Exception {
    smoke("moonshot");
  }

  @Test
  @DisplayName("dashscope (needs DASHSCOPE_API_KEY)")
  @EnabledIfEnvironmentVariable(named = "DASHSCOPE_API_KEY", matches = ".+")
  void live_dashscope_chatAndStreamAnswer() throws Exception {
    smoke("dashscope");
  }
}
