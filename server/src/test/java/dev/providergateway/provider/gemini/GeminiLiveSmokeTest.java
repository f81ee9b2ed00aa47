package dev.providergateway.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.testing.EventCollector;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Calls the real Gemini API. Skipped unless {@code GOOGLE_API_KEY} or {@code GEMINI_API_KEY} is
 * set, so it never runs in CI, which has neither. {@code @EnabledIf} rather than two
 * {@code @EnabledIfEnvironmentVariable}s, because repeated ones must all match and either key is
 * enough. {@code GEMINI_LIVE_MODEL} picks the model (default {@code gemini-2.5-flash}).
 */
@DisplayName(
    "Live Gemini smoke tests (skipped unless GOOGLE_API_KEY or GEMINI_API_KEY is set; CI has neither)")
@EnabledIf(
    value = "hasKey",
    disabledReason = "live Gemini test: needs GOOGLE_API_KEY or GEMINI_API_KEY; skipped in CI")
class GeminiLiveSmokeTest {
  private final Map<String, String> env = System.getenv();
  private final Provider provider =
      new GeminiProviderFactory().create(new GeminiProviderFactory().autoConfigure(env).get(0));
  private final String model = env.getOrDefault("GEMINI_LIVE_MODEL", "gemini-2.5-flash");

  static boolean hasKey() {
    return !new GeminiProviderFactory().autoConfigure(System.getenv()).isEmpty();
  }

  @AfterEach
  void close() {
    provider.close();
  }

  private static CallContext context() {
    return new CallContext("live-smoke", null);
  }

  @Test
  void chat_live_answers() throws Exception {
    CompletionResponse r =
        provider
            .chat(
                ChatRequest.builder(model)
                    .addMessage(Message.of(Role.USER, "Reply with the single word: pong"))
                    .build(),
                context())
            .get(60, TimeUnit.SECONDS);

    assertThat(r.content().toLowerCase()).contains("pong");
    assertThat(r.usage().promptTokens()).isPositive();
  }

  @Test
  void stream_live_endsCleanly() throws Exception {
    EventCollector events =
        EventCollector.of(
            provider.stream(
                ChatRequest.builder(model)
                    .addMessage(Message.of(Role.USER, "Count from 1 to 5, separated by spaces."))
                    .build(),
                context()));

    assertThat(events.await()).isNull();
    assertThat(events.content()).contains("3");
    assertThat(events.finish().reason()).isEqualTo(StopReason.STOP);
  }

  @Test
  void chat_liveToolRoundTrip_signaturesAccepted() throws Exception {
    ToolDefinition weather =
        new ToolDefinition(
            "get_weather",
            "Current weather for a city",
            Map.of(
                "type",
                "object",
                "properties",
                Map.of("city", Map.of("type", "string")),
                "required",
                List.of("city")));
    ChatRequest first =
        ChatRequest.builder(model)
            .tools(List.of(weather))
            .addMessage(Message.of(Role.USER, "What is the weather in Paris? Use the tool."))
            .build();

    CompletionResponse call = provider.chat(first, context()).get(60, TimeUnit.SECONDS);
    ChatRequest second =
        first.toBuilder()
            .addMessage(
                new Message(
                    Role.ASSISTANT,
                    call.content(),
                    "",
                    call.toolCalls(),
                    "",
                    List.of(),
                    call.reasoningBlocks()))
            .addMessage(
                Message.toolResult(
                    call.toolCalls().get(0).id(), "{\"sky\":\"sunny\",\"celsius\":21}"))
            .build();
    CompletionResponse answer = provider.chat(second, context()).get(60, TimeUnit.SECONDS);

    assertThat(call.stopReason()).isEqualTo(StopReason.TOOL_CALLS);
    assertThat(answer.content()).contains("21");
  }
}
