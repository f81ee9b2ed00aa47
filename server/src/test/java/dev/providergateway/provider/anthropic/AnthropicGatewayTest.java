package dev.providergateway.provider.anthropic;

import static dev.providergateway.provider.anthropic.AnthropicFixtures.MESSAGE_STOP;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.PING;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.TEXT_BLOCK;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.THINKING_BLOCK;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.blockStart;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.blockStop;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.errorEvent;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.jsonDelta;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.messageDelta;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.messageStart;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.signatureDelta;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.textDelta;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.thinkingDelta;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.usage;
import static dev.providergateway.testing.Requests.chat;
import static dev.providergateway.testing.Requests.weatherTool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.testing.Statuses;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.Message;
import dev.providergateway.v1.ReasoningBlock;
import dev.providergateway.v1.StopReason;
import dev.providergateway.v1.StreamChunk;
import dev.providergateway.v1.ToolCall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Anthropic provider end to end: gRPC in, through the real gateway, to a fake Messages API. */
class AnthropicGatewayTest {
  private static final String SIGNATURE = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds";

  private final FakeUpstream upstream = FakeUpstream.start();
  private final TestGateway gateway =
      new TestGateway(
          ConfigLoader.parse(
              """
      providers:
        - name: claude
          type: anthropic
          base_url: %s
          api_key: sk-ant-test-key-123456
          default_model: claude-sonnet-4-5
      """
                  .formatted(upstream.baseUri()),
              Map.of()));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
    upstream.close();
  }

  @Test
  void stream_thinkingTextAndToolUse_deltasThenOneFinalChunkWithCallsUsageAndSignedBlocks() {
    upstream.enqueue(
        Response.sse(
            List.of(
                messageStart(usage(8, 0, 4, 1)),
                blockStart(0, THINKING_BLOCK),
                thinkingDelta(0, "Paris weather needs "),
                thinkingDelta(0, "the tool."),
                signatureDelta(0, SIGNATURE),
                blockStop(0),
                blockStart(1, TEXT_BLOCK),
                textDelta(1, "Let me "),
                PING,
                textDelta(1, "check."),
                blockStop(1),
                blockStart(
                    2,
                    "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{}}"),
                jsonDelta(2, "{\"city\":"),
                jsonDelta(2, " \"Paris\"}"),
                blockStop(2),
                messageDelta("tool_use", "{\"output_tokens\":7}"),
                MESSAGE_STOP)));

    List<StreamChunk> chunks = new ArrayList<>();
    gateway.blocking().stream(
            chat("claude", "weather in Paris?")
                .addTools(weatherTool())
                .setReasoningEffort("low")
                .build())
        .forEachRemaining(chunks::add);

    List<StreamChunk> deltas = chunks.subList(0, chunks.size() - 1);
    assertThat(deltas).noneMatch(StreamChunk::getIsFinal);
    assertThat(String.join("", deltas.stream().map(StreamChunk::getReasoningContent).toList()))
        .isEqualTo("Paris weather needs the tool.");
    assertThat(String.join("", deltas.stream().map(StreamChunk::getContent).toList()))
        .isEqualTo("Let me check.");
    assertThat(deltas.stream().flatMap(c -> c.getToolCallDeltasList().stream()))
        .allSatisfy(d -> assertThat(d.getIndex()).isZero());
    StreamChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.getIsFinal()).isTrue();
    assertThat(last.getStopReason()).isEqualTo(StopReason.STOP_REASON_TOOL_CALLS);
    assertThat(last.getNativeStopReason()).isEqualTo("tool_use");
    assertThat(last.getToolCallsList())
        .extracting(ToolCall::getId, ToolCall::getName, ToolCall::getArguments)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "toolu_01", "get_weather", "{\"city\": \"Paris\"}"));
    assertThat(last.getUsage().getPromptTokens()).isEqualTo(12);
    assertThat(last.getUsage().getCacheReadTokens()).isEqualTo(4);
    assertThat(last.getUsage().getCompletionTokens()).isEqualTo(7);
    assertThat(last.getUsage().getTotalTokens()).isEqualTo(19);
    assertThat(last.getReasoningBlocksList())
        .containsExactly(
            ReasoningBlock.newBuilder()
                .setText("Paris weather needs the tool.")
                .setSignature(SIGNATURE)
                .build());
    assertThat(last.getModel()).isEqualTo(AnthropicFixtures.MODEL);
    assertThat(last.getProvider()).isEqualTo("claude");
  }

  @Test
  void chat_reasoningBlocksFromResponse_sentBackAsSignedThinkingOnNextTurn() {
    upstream.enqueue(
        AnthropicFixtures.message(
            "[{\"type\":\"thinking\",\"thinking\":\"Use the tool.\",\"signature\":\""
                + SIGNATURE
                + "\"},{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]",
            "tool_use",
            usage(8, 0, 4, 7)));
    CompletionResponse first =
        gateway
            .blocking()
            .chat(
                chat("claude", "weather in Paris?")
                    .addTools(weatherTool())
                    .setReasoningEffort("low")
                    .build());
    upstream.enqueue(AnthropicFixtures.text("Sunny, 21C."));

    gateway
        .blocking()
        .chat(
            chat("claude", "weather in Paris?")
                .addTools(weatherTool())
                .setReasoningEffort("low")
                .addMessages(
                    Message.newBuilder()
                        .setRole("assistant")
                        .addAllToolCalls(first.getToolCallsList())
                        .addAllReasoning(first.getReasoningBlocksList()))
                .addMessages(
                    Message.newBuilder()
                        .setRole("tool")
                        .setToolCallId("toolu_01")
                        .setContent("sunny, 21C"))
                .build());

    assertThat(first.getReasoningBlocksList()).hasSize(1);
    assertThat(first.getUsage().getPromptTokens()).isEqualTo(12);
    JsonNode assistant = lastRequest().path("messages").get(1);
    assertThat(assistant.path("content").get(0))
        .isEqualTo(
            Json.tryParse(
                "{\"type\":\"thinking\",\"thinking\":\"Use the tool.\",\"signature\":\""
                    + SIGNATURE
                    + "\"}"));
    assertThat(assistant.path("content").get(1).path("type").asText()).isEqualTo("tool_use");
  }

  @Test
  void stream_errorEventMidStream_endsWithUnavailableStatusNeverCleanEnd() {
    upstream.enqueue(
        Response.sse(
            List.of(
                messageStart(usage(8, 0, 0, 1)),
                blockStart(0, TEXT_BLOCK),
                textDelta(0, "Partial"),
                errorEvent("overloaded_error", "Overloaded"))));
    List<StreamChunk> chunks = new ArrayList<>();
    var it = gateway.blocking().stream(chat("claude", "hi").build());

    assertThatThrownBy(() -> it.forEachRemaining(chunks::add))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(Statuses.errorInfo(Statuses.of(e)).getReason())
                  .isEqualTo("PROVIDER_UNAVAILABLE");
              assertThat(e.getStatus().getDescription())
                  .contains("Overloaded")
                  .doesNotContain("sk-ant-test-key-123456");
            });
    assertThat(chunks).extracting(StreamChunk::getContent).containsExactly("Partial");
    assertThat(chunks).noneMatch(StreamChunk::getIsFinal);
  }

  @Test
  void chat_http529_unavailableStatus() {
    upstream.enqueue(AnthropicFixtures.error(529, "overloaded_error", "Overloaded"));

    assertThatThrownBy(() -> gateway.blocking().chat(chat("claude", "hi").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(Statuses.errorInfo(Statuses.of(e)).getReason())
                  .isEqualTo("PROVIDER_UNAVAILABLE");
              assertThat(Statuses.errorInfo(Statuses.of(e)).getMetadataMap())
                  .containsEntry("http_status", "529");
            });
  }

  private JsonNode lastRequest() {
    JsonNode body = null;
    try {
      while (upstream.pendingRequests() > 0) {
        body = upstream.takeRequest().json();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return body;
  }
}
