package dev.providergateway.provider.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.http.Json;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How {@code reasoning_effort} and Victor's {@code thinking} become Ollama's {@code think}. */
class OllamaThinkTest {

  static Stream<Arguments> efforts() {
    return Stream.of(
        Arguments.of("qwen3:8b", "high", "true"),
        Arguments.of("deepseek-r1", "low", "true"),
        Arguments.of("qwen3:8b", "none", "false"),
        Arguments.of("gpt-oss:20b", "high", "\"high\""),
        Arguments.of("gpt-oss:120b-cloud", "medium", "\"medium\""),
        Arguments.of("gpt-oss:20b", "minimal", "\"low\""),
        Arguments.of("gpt-oss:20b", "none", "false"),
        Arguments.of("hf.co/unsloth/gpt-oss-20b-GGUF", "LOW", "\"low\""));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @MethodSource("efforts")
  void of_reasoningEffort_levelsOnlyForModelsThatTakeThem(
      String model, String effort, String think) {
    assertThat(OllamaThink.of(ChatRequest.builder(model).reasoningEffort(effort).build()))
        .isEqualTo(Json.tryParse(think));
  }

  @Test
  void of_nothingAsked_sendsNoThink() {
    assertThat(OllamaThink.of(ChatRequest.builder("qwen3").build())).isNull();
  }

  static Stream<Arguments> thinkingValues() {
    return Stream.of(
        Arguments.of(true, "true"),
        Arguments.of(false, "false"),
        Arguments.of("high", "true"),
        Arguments.of(Map.of("type", "enabled", "budget_tokens", 2048L), "true"),
        Arguments.of(Map.of("type", "disabled"), "false"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("thinkingValues")
  void of_extraThinking_winsOverReasoningEffort(Object thinking, String think) {
    ChatRequest r =
        ChatRequest.builder("qwen3")
            .reasoningEffort("none")
            .extra(Map.of("thinking", thinking))
            .build();

    assertThat(OllamaThink.of(r)).isEqualTo(Json.tryParse(think));
  }

  @Test
  void of_extraThinkingNotUnderstood_invalidRequestNamingIt() {
    ChatRequest r = ChatRequest.builder("qwen3").extra(Map.of("thinking", 3L)).build();

    assertThatThrownBy(() -> OllamaThink.of(r))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("extra.thinking");
  }
}
