package dev.providergateway.provider.anthropic;

import static dev.providergateway.provider.anthropic.AnthropicFixtures.message;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ReasoningBlock;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.testing.FakeUpstream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How non-streamed Messages API responses and errors map to the domain. */
class AnthropicResponseTest {
  private static final String THINKING =
      "{\"type\":\"thinking\",\"thinking\":\"The user wants Paris weather.\","
          + "\"signature\":\"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds\"}";
  private static final String TOOL_USE =
      "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}";

  private final FakeUpstream upstream = FakeUpstream.start();
  private final Provider provider =
      new AnthropicProviderFactory()
          .create(AnthropicFixtures.settings(upstream.baseUri(), Map.of()));

  @AfterEach
  void stop() {
    provider.close();
    upstream.close();
  }

  private CompletionResponse chat(ChatRequest request) throws Exception {
    return provider.chat(request, new CallContext("req-1", null)).get(10, TimeUnit.SECONDS);
  }

  private static ChatRequest.Builder request(String text) {
    return ChatRequest.builder("claude-sonnet-4-5").addMessage(Message.of(Role.USER, text));
  }

  private Throwable failure(ChatRequest request) {
    Throwable t = catchThrowable(() -> chat(request));
    return t instanceof ExecutionException ? t.getCause() : t;
  }

  @Test
  void chat_textBeforeToolUse_returnsBothContentAndCall() throws Exception {
    upstream.enqueue(
        message(
            "[{\"type\":\"text\",\"text\":\"Let me check.\"}," + TOOL_USE + "]",
            "tool_use",
            usage(10, 0, 0, 5)));

    CompletionResponse r = chat(request("weather?").build());

    assertThat(r.content()).isEqualTo("Let me check.");
    assertThat(r.toolCalls())
        .containsExactly(ToolCall.of("toolu_01", "get_weather", "{\"city\":\"Paris\"}"));
    assertThat(r.stopReason()).isEqualTo(StopReason.TOOL_CALLS);
    assertThat(r.nativeStopReason()).isEqualTo("tool_use");
    assertThat(r.model()).isEqualTo(AnthropicFixtures.MODEL);
  }

  @Test
  void chat_thinkingResponse_signatureRoundTripsIntoNextRequest() throws Exception {
    upstream.enqueue(
        message("[" + THINKING + "," + TOOL_USE + "]", "tool_use", usage(10, 0, 0, 50)));
    ChatRequest first = request("weather in Paris?").reasoningEffort("low").build();

    CompletionResponse r = chat(first);

    assertThat(r.reasoningContent()).isEqualTo("The user wants Paris weather.");
    assertThat(r.reasoningBlocks())
        .containsExactly(
            new ReasoningBlock(
                "The user wants Paris weather.",
                "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds",
                false));
    upstream.takeRequest();

    upstream.enqueue(AnthropicFixtures.text("Sunny."));
    Message assistant =
        new Message(
            Role.ASSISTANT, r.content(), "", r.toolCalls(), "", List.of(), r.reasoningBlocks());
    chat(
        first.toBuilder()
            .addMessage(assistant)
            .addMessage(Message.toolResult("toolu_01", "sunny, 21C"))
            .build());

    JsonNode sent = upstream.takeRequest().json().path("messages").get(1).path("content");
    assertThat(sent.get(0)).isEqualTo(Json.tryParse(THINKING));
    assertThat(sent.get(1)).isEqualTo(Json.tryParse(TOOL_USE));
  }

  @Test
  void chat_redactedThinking_returnedAsRedactedBlockAndSentBack() throws Exception {
    upstream.enqueue(
        message(
            "[{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy3va3pzix/LafPsn4a\"},"
                + "{\"type\":\"text\",\"text\":\"Done.\"}]",
            "end_turn",
            usage(10, 0, 0, 5)));

    CompletionResponse r = chat(request("hi").build());

    assertThat(r.reasoningBlocks())
        .containsExactly(new ReasoningBlock("EmwKAhgBEgy3va3pzix/LafPsn4a", "", true));
    assertThat(r.reasoningContent()).isEmpty();
    assertThat(r.content()).isEqualTo("Done.");
    upstream.takeRequest();

    upstream.enqueue(AnthropicFixtures.text("ok"));
    chat(
        request("hi")
            .addMessage(
                new Message(
                    Role.ASSISTANT, r.content(), "", List.of(), "", List.of(), r.reasoningBlocks()))
            .addMessage(Message.of(Role.USER, "more"))
            .build());

    JsonNode sent = upstream.takeRequest().json().path("messages").get(1).path("content");
    assertThat(sent.get(0))
        .isEqualTo(
            Json.tryParse(
                "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy3va3pzix/LafPsn4a\"}"));
    assertThat(sent.get(1).path("text").asText()).isEqualTo("Done.");
  }

  @Test
  void chat_cacheUsage_promptIncludesCacheWritesAndReads() throws Exception {
    upstream.enqueue(
        message("[{\"type\":\"text\",\"text\":\"ok\"}]", "end_turn", usage(100, 50, 200, 9)));

    CompletionResponse r = chat(request("hi").build());

    assertThat(r.usage().promptTokens()).isEqualTo(350);
    assertThat(r.usage().cacheWriteTokens()).isEqualTo(50);
    assertThat(r.usage().cacheReadTokens()).isEqualTo(200);
    assertThat(r.usage().completionTokens()).isEqualTo(9);
    assertThat(r.usage().totalTokens()).isEqualTo(359);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "end_turn, STOP",
    "stop_sequence, STOP",
    "max_tokens, LENGTH",
    "pause_turn, LENGTH",
    "model_context_window_exceeded, LENGTH",
    "refusal, CONTENT_FILTER",
    "tool_use, TOOL_CALLS",
    "some_future_reason, STOP"
  })
  void chat_stopReason_normalizedAndNativeKept(String nativeReason, StopReason expected)
      throws Exception {
    upstream.enqueue(
        message("[{\"type\":\"text\",\"text\":\"x\"}]", nativeReason, usage(1, 0, 0, 1)));

    CompletionResponse r = chat(request("hi").build());

    assertThat(r.stopReason()).isEqualTo(expected);
    assertThat(r.nativeStopReason()).isEqualTo(nativeReason);
  }

  @Test
  void chat_unknownContentBlock_skipped() throws Exception {
    upstream.enqueue(
        message(
            "[{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\",\"input\":{}},"
                + "{\"type\":\"text\",\"text\":\"Found it.\"}]",
            "end_turn",
            usage(1, 0, 0, 1)));

    CompletionResponse r = chat(request("hi").build());

    assertThat(r.content()).isEqualTo("Found it.");
    assertThat(r.toolCalls()).isEmpty();
  }

  @Test
  void chat_http529Overloaded_unavailableAndRetryable() {
    upstream.enqueue(AnthropicFixtures.error(529, "overloaded_error", "Overloaded"));

    Throwable t = failure(request("hi").build());

    assertThat(t).isInstanceOf(ProviderException.Unavailable.class);
    assertThat(((ProviderException) t).retryable()).isTrue();
    assertThat(((ProviderException) t).origin().httpStatus()).isEqualTo(529);
    assertThat(t.getMessage()).contains("Overloaded");
  }

  @Test
  void chat_notFoundModel_modelNotFoundWithUpstreamMessage() {
    upstream.enqueue(AnthropicFixtures.error(404, "not_found_error", "model: claude-x"));

    Throwable t = failure(request("hi").model("claude-x").build());

    assertThat(t).isInstanceOf(ProviderException.ModelNotFound.class);
    assertThat(t.getMessage()).contains("model: claude-x");
  }

  @Test
  void chat_errorObjectWithStatus200_failsByErrorType() {
    upstream.enqueue(
        FakeUpstream.Response.json(
            200,
            "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));

    assertThat(failure(request("hi").build())).isInstanceOf(ProviderException.Unavailable.class);
  }

  @Test
  void chat_noContentArray_invalidResponse() {
    upstream.enqueue(
        FakeUpstream.Response.json(200, "{\"type\":\"message\",\"role\":\"assistant\"}"));

    assertThat(failure(request("hi").build()))
        .isInstanceOf(ProviderException.InvalidResponse.class);
  }

  @Test
  void chat_error_messageNeverCarriesApiKey() {
    upstream.enqueue(AnthropicFixtures.error(401, "authentication_error", "invalid x-api-key"));

    Throwable t = failure(request("hi").build());

    assertThat(t).isInstanceOf(ProviderException.Auth.class);
    assertThat(t.getMessage())
        .contains("invalid x-api-key")
        .doesNotContain("sk-ant-test-key-123456");
  }
}
