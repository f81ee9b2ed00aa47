package dev.providergateway.provider.anthropic;

import static dev.providergateway.provider.anthropic.AnthropicFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ResponseFormat;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.ToolChoice;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.testing.EventCollector;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.RecordedRequest;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How request parameters map onto the Messages API (and what is adapted, with a note), checked on
 * the fake upstream's side.
 */
class AnthropicParametersTest {
  private final FakeUpstream upstream = FakeUpstream.start();
  private final Provider provider =
      new AnthropicProviderFactory()
          .create(AnthropicFixtures.settings(upstream.baseUri(), Map.of()));

  @AfterEach
  void stop() {
    provider.close();
    upstream.close();
  }

  private RecordedRequest send(ChatRequest request) throws Exception {
    upstream.enqueue(text("ok"));
    provider.chat(request, new CallContext("req-1", null)).get(10, TimeUnit.SECONDS);
    return upstream.takeRequest();
  }

  private CompletionResponse chat(ChatRequest request) throws Exception {
    return provider.chat(request, new CallContext("req-1", null)).get(10, TimeUnit.SECONDS);
  }

  private static ChatRequest.Builder request(Message... messages) {
    return ChatRequest.builder("claude-sonnet-4-5").messages(List.of(messages));
  }

  private static Message user(String text) {
    return Message.of(Role.USER, text);
  }

  @Test
  void chat_noMaxTokens_defaultsTo4096() throws Exception {
    assertThat(send(request(user("hi")).build()).json().path("max_tokens").asInt()).isEqualTo(4096);
  }

  @Test
  void chat_maxTokensSet_sentAsIs() throws Exception {
    assertThat(send(request(user("hi")).maxTokens(300).build()).json().path("max_tokens").asInt())
        .isEqualTo(300);
  }

  @Test
  void chat_samplingParameters_mappedToAnthropicNames() throws Exception {
    JsonNode body =
        send(request(user("hi")).temperature(0.3).stop(List.of("END", "STOP")).build()).json();

    assertThat(body.path("temperature").asDouble()).isEqualTo(0.3);
    assertThat(body.path("stop_sequences")).hasSize(2);
    assertThat(body.path("stop_sequences").get(0).asText()).isEqualTo("END");
    assertThat(body.has("stop")).isFalse();
  }

  @Test
  void chat_temperatureAndTopP_topPDroppedWithNote() throws Exception {
    upstream.enqueue(text("ok"));

    CompletionResponse r = chat(request(user("hi")).temperature(1.5).topP(0.9).build());

    JsonNode body = upstream.takeRequest().json();
    assertThat(body.path("temperature").asDouble()).isEqualTo(1.0);
    assertThat(body.has("top_p")).isFalse();
    assertThat(r.metadata()).containsKeys("adjusted.temperature", "dropped.top_p");
  }

  @Test
  void chat_toolsAndChoices_mappedToAnthropicShapes() throws Exception {
    ToolDefinition tool = new ToolDefinition("get_weather", "Weather", Map.of("type", "object"));

    JsonNode required =
        send(request(user("x"))
                .tools(List.of(tool))
                .toolChoice(new ToolChoice.Mode(ToolChoice.Mode.Kind.REQUIRED))
                .build())
            .json();
    JsonNode named =
        send(request(user("x"))
                .tools(List.of(tool))
                .toolChoice(new ToolChoice.Named("get_weather"))
                .build())
            .json();
    JsonNode none =
        send(request(user("x"))
                .tools(List.of(tool))
                .toolChoice(new ToolChoice.Mode(ToolChoice.Mode.Kind.NONE))
                .build())
            .json();
    JsonNode dflt = send(request(user("x")).tools(List.of(tool)).build()).json();

    assertThat(required.path("tools").get(0))
        .isEqualTo(
            Json.tryParse(
                "{\"name\":\"get_weather\",\"description\":\"Weather\",\"input_schema\":{\"type\":\"object\"}}"));
    assertThat(required.path("tool_choice")).isEqualTo(Json.tryParse("{\"type\":\"any\"}"));
    assertThat(named.path("tool_choice"))
        .isEqualTo(Json.tryParse("{\"type\":\"tool\",\"name\":\"get_weather\"}"));
    assertThat(none.path("tool_choice")).isEqualTo(Json.tryParse("{\"type\":\"none\"}"));
    assertThat(dflt.has("tool_choice")).isFalse();
  }

  @Test
  void chat_reasoningEffort_mapsToThinkingBudgetAboveMaxTokens() throws Exception {
    upstream.enqueue(text("ok"));

    CompletionResponse r =
        chat(request(user("hi")).reasoningEffort("high").maxTokens(1000).temperature(0.2).build());

    JsonNode body = upstream.takeRequest().json();
    assertThat(body.path("thinking"))
        .isEqualTo(Json.tryParse("{\"type\":\"enabled\",\"budget_tokens\":16384}"));
    assertThat(body.path("max_tokens").asInt()).isEqualTo(17384);
    assertThat(body.has("temperature")).isFalse();
    assertThat(r.metadata()).containsKeys("adjusted.max_tokens", "dropped.temperature");
  }

  @Test
  void chat_reasoningEffortWithoutMaxTokens_defaultAddedToBudget() throws Exception {
    JsonNode body = send(request(user("hi")).reasoningEffort("low").build()).json();

    assertThat(body.path("thinking").path("budget_tokens").asInt()).isEqualTo(1024);
    assertThat(body.path("max_tokens").asInt()).isEqualTo(1024 + 4096);
  }

  @Test
  void chat_reasoningEffortOnClaude3Haiku_droppedWithNote() throws Exception {
    upstream.enqueue(text("ok"));

    CompletionResponse r =
        chat(
            request(user("hi")).model("claude-3-5-haiku-latest").reasoningEffort("medium").build());

    assertThat(upstream.takeRequest().json().has("thinking")).isFalse();
    assertThat(r.metadata()).containsKey("dropped.reasoning_effort");
  }

  @Test
  void chat_unknownReasoningEffort_invalidRequest() {
    assertThatThrownBy(
            () ->
                provider.chat(
                    request(user("hi")).reasoningEffort("extreme").build(),
                    new CallContext("r", null)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("reasoning_effort");
  }

  @Test
  void chat_extraThinking_passedThroughAndMaxTokensKeptAboveBudget() throws Exception {
    JsonNode body =
        send(request(user("hi"))
                .extra(
                    Map.of(
                        "thinking", Map.of("type", "enabled", "budget_tokens", 10000), "top_k", 5))
                .build())
            .json();

    assertThat(body.path("thinking"))
        .isEqualTo(Json.tryParse("{\"type\":\"enabled\",\"budget_tokens\":10000}"));
    assertThat(body.path("max_tokens").asInt()).isEqualTo(14096);
    assertThat(body.path("top_k").asInt()).isEqualTo(5);
  }

  @Test
  void chat_extraReservedKey_invalidRequest() {
    assertThatThrownBy(
            () ->
                provider.chat(
                    request(user("hi")).extra(Map.of("stream", true)).build(),
                    new CallContext("r", null)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("extra.stream");
  }

  @Test
  void chat_jsonResponseFormat_instructionAppendedToSystemWithNote() throws Exception {
    upstream.enqueue(text("{}"));

    // A model without native structured outputs (the native case is in
    // AnthropicCachingAndStructuredOutputTest).
    CompletionResponse r =
        chat(
            request(Message.of(Role.SYSTEM, "Be exact."), user("hi"))
                .model("claude-3-5-haiku-latest")
                .responseFormat(
                    new ResponseFormat.JsonSchema("answer", Map.of("type", "object"), true))
                .build());

    JsonNode system = upstream.takeRequest().json().path("system");
    assertThat(system).hasSize(2);
    assertThat(system.get(1).path("text").asText())
        .contains("JSON object")
        .contains("\"type\":\"object\"");
    assertThat(r.metadata())
        .containsKey("emulated.response_format")
        .containsEntry("structured_output", "emulated");
  }

  @Test
  void chat_seed_droppedWithNote() throws Exception {
    upstream.enqueue(text("ok"));

    CompletionResponse r = chat(request(user("hi")).seed(42L).build());

    assertThat(upstream.takeRequest().json().has("seed")).isFalse();
    assertThat(r.metadata()).containsEntry("dropped.seed", "Anthropic has no seed parameter");
  }

  @Test
  void stream_request_setsStreamTrueAndSameBody() throws Exception {
    upstream.enqueue(
        Response.sse(
            List.of(
                AnthropicFixtures.messageStart(AnthropicFixtures.usage(1, 0, 0, 1)),
                AnthropicFixtures.MESSAGE_STOP)));

    EventCollector events =
        EventCollector.of(provider.stream(request(user("hi")).build(), new CallContext("r", null)));

    assertThat(events.await()).isNull();
    JsonNode body = upstream.takeRequest().json();
    assertThat(body.path("stream").asBoolean()).isTrue();
    assertThat(body.path("max_tokens").asInt()).isEqualTo(4096);
  }
}
