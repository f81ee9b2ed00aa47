package dev.providergateway.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.testing.EventCollector;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * A smoke test against the real Anthropic API. It runs only where {@code ANTHROPIC_API_KEY} is set,
 * so it is skipped in CI; it costs a few hundred tokens of {@code claude-haiku-4-5} (or {@code
 * ANTHROPIC_SMOKE_MODEL}).
 */
@EnabledIfEnvironmentVariable(
    named = "ANTHROPIC_API_KEY",
    matches = ".+",
    disabledReason = "ANTHROPIC_API_KEY is not set (as in CI)")
class AnthropicLiveTest {
  private final Provider provider =
      new AnthropicProviderFactory()
          .create(new AnthropicProviderFactory().autoConfigure(System.getenv()).get(0));
  private final String model =
      System.getenv().getOrDefault("ANTHROPIC_SMOKE_MODEL", "claude-haiku-4-5");

  @AfterEach
  void close() {
    provider.close();
  }

  private ChatRequest request() {
    return ChatRequest.builder(model)
        .addMessage(Message.of(Role.USER, "Reply with the single word: pong"))
        .maxTokens(20)
        .build();
  }

  @Test
  void chat_live_answersWithUsage() throws Exception {
    CompletionResponse r =
        provider.chat(request(), new CallContext("live-1", null)).get(60, TimeUnit.SECONDS);

    assertThat(r.content().toLowerCase()).contains("pong");
    assertThat(r.stopReason()).isEqualTo(StopReason.STOP);
    assertThat(r.usage().promptTokens()).isPositive();
    assertThat(r.usage().completionTokens()).isPositive();
  }

  @Test
  void stream_live_deltasUsageAndCleanEnd() throws Exception {
    EventCollector events =
        EventCollector.of(provider.stream(request(), new CallContext("live-2", null)));

    assertThat(events.done).succeedsWithin(java.time.Duration.ofSeconds(60));
    assertThat(events.content().toLowerCase()).contains("pong");
    assertThat(events.usage().promptTokens()).isPositive();
    assertThat(events.finish()).isNotNull();
  }
}
