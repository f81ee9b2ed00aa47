package dev.providergateway.provider.ollama;

import static dev.providergateway.provider.ollama.OllamaContractTest.doneLine;
import static dev.providergateway.provider.ollama.OllamaContractTest.line;
import static dev.providergateway.provider.ollama.OllamaContractTest.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.testing.EventCollector;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.TestTransport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the provider reads Ollama's {@code /api/chat} answers, whole and streamed. */
class OllamaResponseTest {
  private final FakeUpstream upstream = FakeUpstream.start();
  private final Provider provider =
      new OllamaProviderFactory()
          .create(
              TestTransport.settings("ollama-test", "ollama")
                  .baseUrl(upstream.baseUri().toString())
                  .build());

  @AfterEach
  void stop() {
    provider.close();
    upstream.close();
  }

  private CompletionResponse chat(String body) throws Exception {
    upstream.enqueue(Response.json(200, body));
    return provider.chat(request(), new CallContext("r", null)).get(10, TimeUnit.SECONDS);
  }

  private EventCollector stream(List<String> lines) throws Exception {
    upstream.enqueue(Response.ndjson(lines));
    EventCollector events =
        EventCollector.of(provider.stream(request(), new CallContext("r", null)));
    assertThat(events.await()).isNull();
    return events;
  }

  private static ChatRequest request() {
    return ChatRequest.builder("qwen3").addMessage(Message.of(Role.USER, "hi")).build();
  }

  private static String answer(String message, String doneReason) {
    return "{\"model\":\"qwen3:8b\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":"
        + message
        + ",\"done_reason\":\""
        + doneReason
        + "\",\"done\":true,\"total_duration\":5191566416,\"load_duration\":2154458,"
        + "\"prompt_eval_count\":26,\"prompt_eval_duration\":383809000,\"eval_count\":298,\"eval_duration\":4799921000}";
  }

  @Test
  void chat_thinking_returnedAsReasoningContent() throws Exception {
    CompletionResponse r =
        chat(
            answer(
                "{\"role\":\"assistant\",\"content\":\"4\",\"thinking\":\"2 plus 2 is 4.\"}",
                "stop"));

    assertThat(r.content()).isEqualTo("4");
    assertThat(r.reasoningContent()).isEqualTo("2 plus 2 is 4.");
    assertThat(r.model()).isEqualTo("qwen3:8b");
    assertThat(r.usage().promptTokens()).isEqualTo(26);
    assertThat(r.usage().completionTokens()).isEqualTo(298);
    assertThat(r.usage().totalTokens()).isEqualTo(324);
    assertThat(r.metadata())
        .containsEntry("total_duration_ns", "5191566416")
        .containsEntry("eval_duration_ns", "4799921000");
  }

  @Test
  void chat_toolCallsWithoutIds_getCallIndexIds() throws Exception {
    CompletionResponse r =
        chat(
            answer(
                "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":["
                    + "{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\",\"days\":3,\"units\":{\"temp\":\"C\"}}}},"
                    + "{\"function\":{\"index\":1,\"name\":\"get_time\",\"arguments\":{}}}]}",
                "stop"));

    assertThat(r.toolCalls())
        .containsExactly(
            ToolCall.of(
                "call_0",
                "get_weather",
                "{\"city\":\"Paris\",\"days\":3,\"units\":{\"temp\":\"C\"}}"),
            ToolCall.of("call_1", "get_time", "{}"));
    assertThat(r.stopReason()).isEqualTo(StopReason.TOOL_CALLS);
    assertThat(r.nativeStopReason()).isEqualTo("stop");
  }

  @Test
  void chat_toolCallWithServerId_keepsIt() throws Exception {
    CompletionResponse r =
        chat(
            answer(
                "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":["
                    + "{\"id\":\"call_x7\",\"function\":{\"name\":\"get_time\",\"arguments\":{}}}]}",
                "stop"));

    assertThat(r.toolCalls().get(0).id()).isEqualTo("call_x7");
  }

  @Test
  void chat_doneReasonLength_lengthStop() throws Exception {
    CompletionResponse r =
        chat(answer("{\"role\":\"assistant\",\"content\":\"The sky\"}", "length"));

    assertThat(r.stopReason()).isEqualTo(StopReason.LENGTH);
    assertThat(r.nativeStopReason()).isEqualTo("length");
  }

  @Test
  void stream_thinkingThenContent_reasoningDeltasFirst() throws Exception {
    EventCollector events =
        stream(
            List.of(
                line("{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"Let me\"}"),
                line("{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\" think.\"}"),
                text("Four."),
                doneLine("stop")));

    assertThat(events.reasoning()).isEqualTo("Let me think.");
    assertThat(events.content()).isEqualTo("Four.");
    assertThat(events.events.stream().filter(e -> e instanceof StreamEvent.ReasoningDelta).count())
        .isEqualTo(2);
    assertThat(events.events.indexOf(new StreamEvent.ContentDelta("Four.")))
        .isGreaterThan(events.events.indexOf(new StreamEvent.ReasoningDelta(" think.")));
  }

  @Test
  void stream_toolCalls_oneWholeDeltaPerCallWithIndexIds() throws Exception {
    EventCollector events =
        stream(
            List.of(
                line(
                    "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}}]}"),
                line(
                    "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":{\"index\":1,\"name\":\"get_time\",\"arguments\":{}}}]}"),
                doneLine("stop")));

    assertThat(events.events)
        .filteredOn(e -> e instanceof StreamEvent.ToolCallDelta)
        .containsExactly(
            new StreamEvent.ToolCallDelta(0, "call_0", "get_weather", "{\"city\":\"Paris\"}"),
            new StreamEvent.ToolCallDelta(1, "call_1", "get_time", "{}"));
    assertThat(events.finish()).isEqualTo(new StreamEvent.Finish(StopReason.TOOL_CALLS, "stop"));
  }

  @Test
  void stream_finalLineWithContent_contentKeptAndUsageReported() throws Exception {
    EventCollector events =
        stream(
            List.of(
                text("That's"),
                "{\"model\":\"qwen3:8b\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"!\"},"
                    + "\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":3,\"eval_count\":2}"));

    assertThat(events.content()).isEqualTo("That's!");
    assertThat(events.usage().promptTokens()).isEqualTo(3);
    assertThat(events.usage().completionTokens()).isEqualTo(2);
    assertThat(events.finish()).isEqualTo(new StreamEvent.Finish(StopReason.STOP, "stop"));
  }

  @Test
  void stream_firstLine_announcesTheModelAndTimingsCloseTheStream() throws Exception {
    EventCollector events = stream(List.of(text("Hi"), doneLine("stop")));

    assertThat(events.events.get(0))
        .isEqualTo(new StreamEvent.ResponseInfo("test-model", Map.of()));
    assertThat(events.events.get(events.events.size() - 1))
        .isInstanceOfSatisfying(
            StreamEvent.ResponseInfo.class,
            info -> assertThat(info.metadata()).containsEntry("total_duration_ns", "4883583458"));
  }
}
