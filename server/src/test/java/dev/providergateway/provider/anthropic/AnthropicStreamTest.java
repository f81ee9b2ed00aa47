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
import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ReasoningBlock;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.Usage;
import dev.providergateway.provider.testing.EventCollector;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a Messages API SSE stream decodes into stream events. */
class AnthropicStreamTest {
  private final FakeUpstream upstream = FakeUpstream.start();
  private final Provider provider =
      new AnthropicProviderFactory()
          .create(AnthropicFixtures.settings(upstream.baseUri(), Map.of()));

  @AfterEach
  void stop() {
    provider.close();
    upstream.close();
  }

  private EventCollector stream(Response response) {
    upstream.enqueue(response);
    return EventCollector.of(
        provider.stream(
            ChatRequest.builder("claude-sonnet-4-5")
                .addMessage(Message.of(Role.USER, "hi"))
                .build(),
            new CallContext("r", null)));
  }

  @Test
  void stream_thinkingWithSignature_reasoningDeltasThenBlockEnd() throws Exception {
    EventCollector events =
        stream(
            Response.sse(
                List.of(
                    messageStart(usage(20, 0, 0, 1)),
                    blockStart(0, THINKING_BLOCK),
                    thinkingDelta(
                        0, "Let me solve this step by step:\n\n1. First break down 27 * 453"),
                    thinkingDelta(0, "\n2. 453 = 400 + 50 + 3"),
                    signatureDelta(0, "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"),
                    blockStop(0),
                    blockStart(1, TEXT_BLOCK),
                    textDelta(1, "27 * 453 = 12,231"),
                    blockStop(1),
                    messageDelta("end_turn", "{\"output_tokens\":40}"),
                    MESSAGE_STOP)));

    assertThat(events.await()).isNull();
    assertThat(events.reasoning())
        .isEqualTo(
            "Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3");
    assertThat(events.content()).isEqualTo("27 * 453 = 12,231");
    assertThat(events.events)
        .filteredOn(e -> e instanceof StreamEvent.ReasoningBlockEnd)
        .containsExactly(
            new StreamEvent.ReasoningBlockEnd(
                new ReasoningBlock(
                    events.reasoning(),
                    "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds",
                    false)));
    int blockEnd = indexOf(events, StreamEvent.ReasoningBlockEnd.class);
    int firstText = indexOf(events, StreamEvent.ContentDelta.class);
    assertThat(blockEnd).isLessThan(firstText);
  }

  @Test
  void stream_redactedThinking_blockEndWithOpaqueData() throws Exception {
    EventCollector events =
        stream(
            Response.sse(
                List.of(
                    messageStart(usage(20, 0, 0, 1)),
                    blockStart(
                        0, "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy3va3pzix\"}"),
                    blockStop(0),
                    blockStart(1, TEXT_BLOCK),
                    textDelta(1, "ok"),
                    blockStop(1),
                    messageDelta("end_turn", "{\"output_tokens\":4}"),
                    MESSAGE_STOP)));

    assertThat(events.await()).isNull();
    assertThat(events.events)
        .filteredOn(e -> e instanceof StreamEvent.ReasoningBlockEnd)
        .containsExactly(
            new StreamEvent.ReasoningBlockEnd(new ReasoningBlock("EmwKAhgBEgy3va3pzix", "", true)));
  }

  @Test
  void stream_errorEventMidStream_failsUnavailableAfterDeltas() throws Exception {
    EventCollector events =
        stream(
            Response.sse(
                List.of(
                    messageStart(usage(20, 0, 0, 1)),
                    blockStart(0, TEXT_BLOCK),
                    textDelta(0, "Partial"),
                    errorEvent("overloaded_error", "Overloaded"))));

    Throwable error = events.await();

    assertThat(events.content()).isEqualTo("Partial");
    assertThat(error).isInstanceOf(ProviderException.Unavailable.class);
    assertThat(((ProviderException) error).retryable()).isTrue();
    assertThat(error.getMessage()).contains("Overloaded");
  }

  @Test
  void stream_errorEventRateLimit_failsRateLimited() throws Exception {
    EventCollector events =
        stream(
            Response.sse(List.of(errorEvent("rate_limit_error", "Number of requests exceeded"))));

    assertThat(events.await()).isInstanceOf(ProviderException.RateLimited.class);
  }

  @Test
  void stream_textThenToolUse_callIndexedByOrdinalNotBlockIndex() throws Exception {
    EventCollector events =
        stream(
            Response.sse(
                List.of(
                    messageStart(usage(20, 0, 0, 1)),
                    blockStart(0, THINKING_BLOCK),
                    thinkingDelta(0, "Need the weather."),
                    signatureDelta(0, "sig"),
                    blockStop(0),
                    blockStart(1, TEXT_BLOCK),
                    textDelta(1, "Let me check."),
                    blockStop(1),
                    blockStart(
                        2,
                        "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{}}"),
                    jsonDelta(2, "{\"city\": \"Paris\"}"),
                    blockStop(2),
                    messageDelta("tool_use", "{\"output_tokens\":30}"),
                    MESSAGE_STOP)));

    assertThat(events.await()).isNull();
    assertThat(events.content()).isEqualTo("Let me check.");
    assertThat(events.events)
        .filteredOn(e -> e instanceof StreamEvent.ToolCallDelta)
        .allSatisfy(e -> assertThat(((StreamEvent.ToolCallDelta) e).index()).isZero());
    assertThat(events.toolCalls())
        .containsExactly(ToolCall.of("toolu_01", "get_weather", "{\"city\": \"Paris\"}"));
    assertThat(events.finish())
        .isEqualTo(new StreamEvent.Finish(StopReason.TOOL_CALLS, "tool_use"));
  }

  @Test
  void stream_toolInputOnlyInBlockStart_sentAsArguments() throws Exception {
    EventCollector events =
        stream(
            Response.sse(
                List.of(
                    messageStart(usage(20, 0, 0, 1)),
                    blockStart(
                        0,
                        "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}"),
                    blockStop(0),
                    messageDelta("tool_use", "{\"output_tokens\":30}"),
                    MESSAGE_STOP)));

    assertThat(events.await()).isNull();
    assertThat(events.toolCalls())
        .containsExactly(ToolCall.of("toolu_01", "get_weather", "{\"city\":\"Paris\"}"));
  }

  @Test
  void stream_cacheUsageAndMessageDeltaCounts_normalizedCumulative() throws Exception {
    EventCollector events =
        stream(
            Response.sse(
                List.of(
                    messageStart(usage(100, 50, 200, 1)),
                    blockStart(0, TEXT_BLOCK),
                    textDelta(0, "ok"),
                    blockStop(0),
                    PING,
                    messageDelta(
                        "end_turn",
                        "{\"input_tokens\":110,\"cache_creation_input_tokens\":50,"
                            + "\"cache_read_input_tokens\":200,\"output_tokens\":9}"),
                    MESSAGE_STOP)));

    assertThat(events.await()).isNull();
    assertThat(events.usage()).isEqualTo(new Usage(360, 9, 200, 50, 0));
    assertThat(events.events.get(0))
        .isEqualTo(new StreamEvent.ResponseInfo(AnthropicFixtures.MODEL, Map.of()));
  }

  @Test
  void stream_noMessageStop_failsAsConnectionError() throws Exception {
    EventCollector events =
        stream(
            Response.sse(
                List.of(
                    messageStart(usage(20, 0, 0, 1)),
                    blockStart(0, TEXT_BLOCK),
                    textDelta(0, "Hi"),
                    blockStop(0),
                    messageDelta("end_turn", "{\"output_tokens\":2}"))));

    assertThat(events.await()).isInstanceOf(ProviderException.Connection.class);
  }

  @Test
  void stream_http529_failsUnavailableWithoutEvents() throws Exception {
    EventCollector events = stream(AnthropicFixtures.error(529, "overloaded_error", "Overloaded"));

    assertThat(events.await()).isInstanceOf(ProviderException.Unavailable.class);
    assertThat(events.events).isEmpty();
  }

  private static int indexOf(EventCollector events, Class<?> type) {
    for (int i = 0; i < events.events.size(); i++) {
      if (type.isInstance(events.events.get(i))) {
        return i;
      }
    }
    return -1;
  }
}
