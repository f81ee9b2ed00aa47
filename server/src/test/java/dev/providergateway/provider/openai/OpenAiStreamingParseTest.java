package dev.providergateway.provider.openai;

import static dev.providergateway.provider.openai.OpenAiFixtures.DONE;
import static dev.providergateway.provider.openai.OpenAiFixtures.chat;
import static dev.providergateway.provider.openai.OpenAiFixtures.context;
import static dev.providergateway.provider.openai.OpenAiFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.Usage;
import dev.providergateway.provider.testing.EventCollector;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The edge cases a streaming (tree-less) JSON reader could get wrong, through the real provider and
 * a fake upstream speaking OpenAI's wire: fields in any order, unknown nested values skipped, null
 * versus missing, large numbers, escapes, empty choices, usage-only chunks, trailing garbage.
 */
class OpenAiStreamingParseTest {
  private final FakeUpstream upstream = FakeUpstream.start();

  @AfterEach
  void stop() {
    upstream.close();
  }

  private CompletionResponse chatWith(String body) throws Exception {
    upstream.enqueue(Response.json(200, body));
    return chat(OpenAiFixtures.official(upstream.baseUri()), request("m", "hi").build());
  }

  private EventCollector streamWith(List<String> events) throws Exception {
    upstream.enqueue(Response.sse(events));
    EventCollector collector =
        EventCollector.of(
            OpenAiFixtures.official(upstream.baseUri()).stream(
                request("m", "hi").build(), context()));
    collector.await();
    return collector;
  }

  private static <T> List<T> only(EventCollector events, Class<T> type) {
    return events.events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void chat_fieldsInAnyOrderWithUnknownNestedValues_readAsTheTreeDid() throws Exception {
    CompletionResponse r =
        chatWith(
            "{\"usage\":{\"completion_tokens_details\":{\"reasoning_tokens\":3,\"x\":[1,{\"y\":[]}]},"
                + "\"prompt_tokens_details\":{\"audio_tokens\":0,\"cached_tokens\":4},"
                + "\"completion_tokens\":7,\"prompt_tokens\":11},"
                + "\"system_fingerprint\":{\"nested\":[[\"choices\"],{\"message\":{}}]},"
                + "\"choices\":[{\"logprobs\":{\"content\":[{\"token\":\"a\",\"top\":[{\"b\":1}]}]},"
                + "\"finish_reason\":\"tool_calls\",\"message\":{\"tool_calls\":[{\"function\":"
                + "{\"arguments\":\"{\\\"q\\\":\\\"x\\\"}\",\"name\":\"search\"},\"type\":\"function\","
                + "\"id\":\"call_1\"}],\"annotations\":[],\"content\":null,\"role\":\"assistant\"},"
                + "\"index\":0},{\"index\":1,\"message\":{\"content\":\"second choice\"}}],"
                + "\"model\":\"served-model\",\"id\":\"chatcmpl-1\"}");

    assertThat(r.content()).isEmpty();
    assertThat(r.toolCalls()).containsExactly(ToolCall.of("call_1", "search", "{\"q\":\"x\"}"));
    assertThat(r.stopReason()).isEqualTo(StopReason.TOOL_CALLS);
    assertThat(r.usage()).isEqualTo(new Usage(11, 7, 4, 0, 3));
    assertThat(r.model()).isEqualTo("served-model");
  }

  @Test
  void chat_nullsReadAsMissing_defaultsApply() throws Exception {
    CompletionResponse r =
        chatWith(
            "{\"model\":null,\"usage\":null,\"choices\":[{\"finish_reason\":null,\"message\":"
                + "{\"content\":\"hi\",\"refusal\":null,\"reasoning_content\":null,\"reasoning\":\"r\","
                + "\"tool_calls\":null}}]}");

    assertThat(r.content()).isEqualTo("hi");
    assertThat(r.model()).isEqualTo("m"); // the request's model when the answer names none
    assertThat(r.usage()).isEqualTo(Usage.ZERO);
    assertThat(r.stopReason()).isEqualTo(StopReason.STOP);
    assertThat(r.reasoningContent()).isEqualTo("r");
    assertThat(r.metadata()).doesNotContainKey("refusal");
  }

  @Test
  void chat_escapedStringsAndLargeNumbers_decodedAndClamped() throws Exception {
    CompletionResponse r =
        chatWith(
            "{\"choices\":[{\"message\":{\"content\":\"line\\n\\\"quoted\\\" \\u00e9 \\ud83d\\ude00 \\\\\"}}],"
                + "\"usage\":{\"prompt_tokens\":99999999999,\"completion_tokens\":\"12\","
                + "\"cached_tokens\":2.9}}");

    assertThat(r.content()).isEqualTo("line\n\"quoted\" é \uD83D\uDE00 \\");
    // The tree wrapped a long around; an int field now holds the largest int instead.
    assertThat(r.usage()).isEqualTo(new Usage(Integer.MAX_VALUE, 12, 2, 0, 0));
  }

  @Test
  void chat_emptyChoices_invalidResponseNamingTheMissingMessage() {
    Throwable t =
        catchThrowable(() -> chatWith("{\"choices\":[],\"usage\":{\"prompt_tokens\":1}}"));

    assertThat(t).isInstanceOf(ExecutionException.class);
    assertThat(t.getCause())
        .isInstanceOf(ProviderException.InvalidResponse.class)
        .hasMessageContaining("no choices[0].message");
  }

  @Test
  void chat_trailingGarbageOrNotAnObject_invalidResponse() {
    for (String body :
        List.of(
            "{\"choices\":[{\"message\":{\"content\":\"a\"}}]} {}",
            "[{\"choices\":[]}]",
            "{\"choices\":[{\"message\":{\"content\":\"a\"}}]",
            "\"text\"")) {
      Throwable t = catchThrowable(() -> chatWith(body));
      assertThat(t.getCause())
          .as(body)
          .isInstanceOf(ProviderException.InvalidResponse.class)
          .hasMessageContaining("not a JSON object");
    }
  }

  @Test
  void chat_includeRaw_sameResponsePlusTheCompactBody() throws Exception {
    String body =
        "{\"choices\":[{\"message\":{\"content\":\"ok\"},\"finish_reason\":\"length\"}],"
            + "\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":1},\"model\":\"x\"}";
    upstream.enqueue(Response.json(200, body));

    CompletionResponse r =
        chat(
            OpenAiFixtures.official(upstream.baseUri()),
            request("m", "hi").includeRaw(true).build());

    assertThat(r.content()).isEqualTo("ok");
    assertThat(r.stopReason()).isEqualTo(StopReason.LENGTH);
    assertThat(r.usage()).isEqualTo(Usage.of(2, 1));
    assertThat(r.rawResponse()).isEqualTo(body);
  }

  @Test
  void stream_toolCallFragmentsWithFieldsInAnyOrder_indicesIdsAndArgumentsKept() throws Exception {
    EventCollector events =
        streamWith(
            List.of(
                "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"\","
                    + "\"name\":\"a\"},\"id\":\"call_a\",\"type\":\"function\",\"index\":0},"
                    + "{\"index\":1,\"id\":\"call_b\",\"function\":{\"name\":\"b\"}}]},\"index\":0,"
                    + "\"finish_reason\":null}],\"model\":\"served\"}\n\n",
                "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":"
                    + "\"{\\\"k\\\":\\\"v\\\\n\\\"\"},\"index\":1}]},\"index\":0}]}\n\n",
                "data: {\"choices\":[{\"finish_reason\":\"tool_calls\",\"delta\":{},\"index\":0}]}\n\n",
                DONE));

    assertThat(only(events, StreamEvent.ToolCallDelta.class))
        .containsExactly(
            new StreamEvent.ToolCallDelta(0, "call_a", "a", ""),
            new StreamEvent.ToolCallDelta(1, "call_b", "b", ""),
            new StreamEvent.ToolCallDelta(1, "", "", "{\"k\":\"v\\n\""));
    assertThat(only(events, StreamEvent.Finish.class))
        .containsExactly(new StreamEvent.Finish(StopReason.TOOL_CALLS, "tool_calls"));
  }

  @Test
  void stream_otherChoiceIndexNullErrorAndUnknownNesting_onlyChoiceZeroRelayed() throws Exception {
    EventCollector events =
        streamWith(
            List.of(
                "data: {\"error\":null,\"x\":{\"choices\":[{\"delta\":{\"content\":\"no\"}}]},"
                    + "\"choices\":[{\"index\":1,\"delta\":{\"content\":\"other\"}},"
                    + "{\"delta\":{\"content\":\"yes\",\"refusal\":null,\"logprobs\":[[1]]},"
                    + "\"index\":0}]}\n\n",
                DONE));

    assertThat(events.await()).isNull();
    assertThat(only(events, StreamEvent.ContentDelta.class))
        .containsExactly(new StreamEvent.ContentDelta("yes"));
  }

  @Test
  void stream_errorAfterChoicesInTheSameChunk_failsBeforeRelayingIt() throws Exception {
    EventCollector events =
        streamWith(
            List.of(
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"}}],"
                    + "\"error\":{\"code\":\"server_error\",\"message\":\"boom upstream\"}}\n\n"));

    assertThat(events.await())
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("boom upstream");
    assertThat(only(events, StreamEvent.ContentDelta.class)).isEmpty();
  }

  @Test
  void stream_emptyChoicesUsageOnlyFinalChunk_reportsUsage() throws Exception {
    EventCollector events =
        streamWith(
            List.of(
                OpenAiFixtures.chunk("{\"content\":\"hi\"}", "\"stop\""),
                "data: {\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,"
                    + "\"prompt_tokens_details\":{\"cached_tokens\":2}},\"choices\":[]}\n\n",
                DONE));

    assertThat(events.await()).isNull();
    assertThat(only(events, StreamEvent.UsageReport.class))
        .containsExactly(new StreamEvent.UsageReport(new Usage(5, 1, 2, 0, 0)));
  }

  @Test
  void stream_groqUsageAndReasoningField_read() throws Exception {
    EventCollector events =
        streamWith(
            List.of(
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"think\"}}]}\n\n",
                "data: {\"x_groq\":{\"id\":\"r\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}},"
                    + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
                DONE));

    assertThat(only(events, StreamEvent.ReasoningDelta.class))
        .containsExactly(new StreamEvent.ReasoningDelta("think"));
    assertThat(only(events, StreamEvent.UsageReport.class))
        .containsExactly(new StreamEvent.UsageReport(Usage.of(3, 4)));
  }

  @Test
  void stream_chunkWithTrailingGarbage_invalidResponse() throws Exception {
    EventCollector events = streamWith(List.of("data: {\"choices\":[]} [1]\n\n", DONE));

    assertThat(events.await())
        .isInstanceOf(ProviderException.InvalidResponse.class)
        .hasMessageContaining("not a JSON object");
  }
}
