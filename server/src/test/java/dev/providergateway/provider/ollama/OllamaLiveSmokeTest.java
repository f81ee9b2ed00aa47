package dev.providergateway.provider.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.testing.EventCollector;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * A smoke test against a real Ollama server. It runs only when {@code OLLAMA_HOST} is set (so it is
 * skipped in CI, which has no Ollama), and uses {@code OLLAMA_SMOKE_MODEL} (default {@value
 * OllamaModels#DEFAULT_MODEL}), which must already be pulled.
 */
@EnabledIfEnvironmentVariable(
    named = "OLLAMA_HOST",
    matches = ".*\\S.*",
    disabledReason = "no Ollama server: set OLLAMA_HOST to run")
class OllamaLiveSmokeTest {
  private final Provider provider =
      new OllamaProviderFactory()
          .create(new OllamaProviderFactory().autoConfigure(System.getenv()).get(0));
  private final String model =
      System.getenv().getOrDefault("OLLAMA_SMOKE_MODEL", OllamaModels.DEFAULT_MODEL);

  @AfterEach
  void close() {
    provider.close();
  }

  private ChatRequest request() {
    // A short answer, so that a CPU-only server finishes well within the deadline.
    return ChatRequest.builder(model)
        .addMessage(Message.of(Role.USER, "Reply with the single word: pong"))
        .maxTokens(32)
        .temperature(0.0)
        .build();
  }

  private static CallContext context() {
    return new CallContext("ollama-smoke", Instant.now().plusSeconds(300));
  }

  @Test
  void chat_realServer_answersWithUsage() throws Exception {
    CompletionResponse r = provider.chat(request(), context()).get(300, TimeUnit.SECONDS);

    assertThat(r.content()).isNotBlank();
    assertThat(r.usage().promptTokens()).isPositive();
    assertThat(r.usage().completionTokens()).isPositive();
    assertThat(r.nativeStopReason()).isIn("stop", "length");
  }

  @Test
  void stream_realServer_deltasUsageAndCleanEnd() throws Exception {
    EventCollector events = EventCollector.of(provider.stream(request(), context()));

    assertThat(events.done).succeedsWithin(Duration.ofSeconds(300));
    assertThat(events.content()).isNotBlank();
    assertThat(events.usage().completionTokens()).isPositive();
    assertThat(events.finish()).isNotNull();
    assertThat(List.of("stop", "length")).contains(events.finish().nativeReason());
  }
}
