package dev.providergateway.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.ReasoningBlock;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.Usage;
import dev.providergateway.provider.http.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reading Gemini responses: finish reasons, blocks, usage, thoughts, signatures, call ids, errors.
 */
class GeminiResponseTest {
  private static final Origin ORIGIN = new Origin("gemini", "gemini-2.5-flash", 0);

  private static CompletionResponse completion(String json) {
    return GeminiResponseMapper.response(Json.tryParse(json.replace('\'', '"')), ORIGIN, Map.of());
  }

  private static List<StreamEvent> read(GeminiStreamDecoder reader, String json) {
    List<StreamEvent> events = new ArrayList<>();
    String text = json.replace('\'', '"');
    reader.read(Json.tryParse(text), text, events::add);
    return events;
  }

  private static String candidate(String parts, String finish) {
    return "{'candidates':[{'content':{'parts':"
        + parts
        + ",'role':'model'},'finishReason':'"
        + finish
        + "','index':0}],"
        + "'modelVersion':'gemini-2.5-flash'}";
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "STOP,STOP",
    "MAX_TOKENS,LENGTH",
    "SAFETY,CONTENT_FILTER",
    "RECITATION,CONTENT_FILTER",
    "BLOCKLIST,CONTENT_FILTER",
    "PROHIBITED_CONTENT,CONTENT_FILTER",
    "SPII,CONTENT_FILTER",
    "LANGUAGE,CONTENT_FILTER",
    "MALFORMED_FUNCTION_CALL,STOP",
    "OTHER,STOP"
  })
  void completion_finishReason_normalizedAndNativeKept(String finish, StopReason expected) {
    CompletionResponse r = completion(candidate("[{'text':'x'}]", finish));

    assertThat(r.stopReason()).isEqualTo(expected);
    assertThat(r.nativeStopReason()).isEqualTo(finish);
  }

  @Test
  void completion_stopWithFunctionCalls_toolCalls() {
    CompletionResponse r =
        completion(candidate("[{'functionCall':{'name':'f','args':{}}}]", "STOP"));

    assertThat(r.stopReason()).isEqualTo(StopReason.TOOL_CALLS);
  }

  @Test
  void completion_safetyFinishWithoutContent_contentFilterAndEmptyText() {
    CompletionResponse r =
        completion(
            "{'candidates':[{'finishReason':'SAFETY','index':0,'safetyRatings':[{'category':"
                + "'HARM_CATEGORY_DANGEROUS_CONTENT','probability':'HIGH','blocked':true}]}]}");

    assertThat(r.stopReason()).isEqualTo(StopReason.CONTENT_FILTER);
    assertThat(r.content()).isEmpty();
  }

  @Test
  void completion_promptBlocked_contentFilterWithBlockReasonAndNote() {
    CompletionResponse r =
        completion(
            "{'promptFeedback':{'blockReason':'SAFETY','safetyRatings':[]},"
                + "'usageMetadata':{'promptTokenCount':8,'totalTokenCount':8},'modelVersion':'gemini-2.5-flash'}");

    assertThat(r.stopReason()).isEqualTo(StopReason.CONTENT_FILTER);
    assertThat(r.nativeStopReason()).isEqualTo("SAFETY");
    assertThat(r.metadata()).containsEntry("block_reason", "SAFETY").containsKey("note");
    assertThat(r.usage()).isEqualTo(Usage.of(8, 0));
  }

  @Test
  void completion_neitherCandidatesNorBlock_invalidResponse() {
    assertThat(catchThrowable(() -> completion("{'usageMetadata':{'promptTokenCount':1}}")))
        .isInstanceOf(ProviderException.InvalidResponse.class);
  }

  @Test
  void completion_usageWithThoughtsAndCache_normalized() {
    CompletionResponse r =
        completion(
            "{'candidates':[{'content':{'parts':[{'text':'x'}]},'finishReason':'STOP'}],"
                + "'usageMetadata':{'promptTokenCount':120,'candidatesTokenCount':30,'thoughtsTokenCount':50,"
                + "'cachedContentTokenCount':100,'totalTokenCount':200}}");

    assertThat(r.usage()).isEqualTo(new Usage(120, 80, 100, 0, 50));
    assertThat(r.usage().totalTokens()).isEqualTo(200);
  }

  @Test
  void completion_thoughtsAndSignatures_reasoningContentBlocksAndCallSignatures() {
    CompletionResponse r =
        completion(
            candidate(
                "[{'text':'Let me check the weather.','thought':true},"
                    + "{'text':'Checking.','thoughtSignature':'sig-text'},"
                    + "{'functionCall':{'name':'get_weather','args':{'city':'Paris'}},'thoughtSignature':'sig-call'},"
                    + "{'functionCall':{'name':'get_time','args':{'tz':'UTC'}}}]",
                "STOP"));

    assertThat(r.reasoningContent()).isEqualTo("Let me check the weather.");
    assertThat(r.content()).isEqualTo("Checking.");
    assertThat(r.reasoningBlocks()).containsExactly(new ReasoningBlock("", "sig-text", false));
    assertThat(r.toolCalls())
        .containsExactly(
            new ToolCall("call_0", "get_weather", "{\"city\":\"Paris\"}", "", "sig-call"),
            new ToolCall("call_1", "get_time", "{\"tz\":\"UTC\"}", "", ""));
  }

  @Test
  void completion_signedThought_blockHoldsTheThoughtText() {
    CompletionResponse r =
        completion(
            candidate(
                "[{'text':'Step one. ','thought':true},"
                    + "{'text':'Step two.','thought':true,'thoughtSignature':'sig-t'},{'text':'Answer.'}]",
                "STOP"));

    assertThat(r.reasoningBlocks())
        .containsExactly(new ReasoningBlock("Step one. Step two.", "sig-t", false));
  }

  @Test
  void completion_unsignedThoughtsBeforeText_notPartOfALaterSignedBlock() {
    CompletionResponse r =
        completion(
            candidate(
                "[{'text':'Draft.','thought':true},{'text':'Interim.'},"
                    + "{'text':'Final check.','thought':true,'thoughtSignature':'sig-2'}]",
                "STOP"));

    assertThat(r.reasoningContent()).isEqualTo("Draft.Final check.");
    assertThat(r.reasoningBlocks())
        .containsExactly(new ReasoningBlock("Final check.", "sig-2", false));
  }

  @Test
  void completion_callIdsFromGemini_used() {
    CompletionResponse r =
        completion(candidate("[{'functionCall':{'id':'fc-1','name':'f','args':{}}}]", "STOP"));

    assertThat(r.toolCalls().get(0).id()).isEqualTo("fc-1");
  }

  @Test
  void completion_modelVersionAndResponseId_reported() {
    CompletionResponse r =
        completion(
            "{'candidates':[{'content':{'parts':[{'text':'x'}]},'finishReason':'STOP'}],"
                + "'modelVersion':'models/gemini-2.5-flash-preview-05-20','responseId':'r-9'}");

    assertThat(r.model()).isEqualTo("gemini-2.5-flash-preview-05-20");
    assertThat(r.metadata()).containsEntry("response_id", "r-9");
  }

  @Test
  void read_streamedThoughtsAndSignatures_eventsInOrderWithCallsIndexedAcrossChunks() {
    GeminiStreamDecoder reader = new GeminiStreamDecoder(ORIGIN, Map.of());

    List<StreamEvent> first =
        read(reader, "{'candidates':[{'content':{'parts':[{'text':'Thinking','thought':true}]}}]}");
    List<StreamEvent> second =
        read(
            reader,
            "{'candidates':[{'content':{'parts':[{'text':' more','thought':true,"
                + "'thoughtSignature':'sig-t'},{'functionCall':{'name':'a','args':{'x':1}},'thoughtSignature':'sig-a'}]}}]}");
    List<StreamEvent> third =
        read(
            reader,
            "{'candidates':[{'content':{'parts':[{'functionCall':{'name':'b','args':{}}}]},"
                + "'finishReason':'STOP'}],'usageMetadata':{'promptTokenCount':3,'candidatesTokenCount':4,'thoughtsTokenCount':5}}");

    assertThat(first).hasSize(2).element(1).isEqualTo(new StreamEvent.ReasoningDelta("Thinking"));
    assertThat(second)
        .containsExactly(
            new StreamEvent.ReasoningDelta(" more"),
            new StreamEvent.ReasoningBlockEnd(new ReasoningBlock("Thinking more", "sig-t", false)),
            new StreamEvent.ToolCallDelta(0, "call_0", "a", "{\"x\":1}"),
            new StreamEvent.ToolCallSignature(0, "sig-a"));
    assertThat(third)
        .containsExactly(
            new StreamEvent.ToolCallDelta(1, "call_1", "b", "{}"),
            new StreamEvent.UsageReport(new Usage(3, 9, 0, 0, 5)),
            new StreamEvent.Finish(StopReason.TOOL_CALLS, "STOP"));
    assertThat(reader.finished()).isTrue();
  }

  @Test
  void read_signatureOnlyEmptyTextPart_reasoningBlockWithoutContent() {
    GeminiStreamDecoder reader = new GeminiStreamDecoder(ORIGIN, Map.of());
    read(reader, "{'candidates':[{'content':{'parts':[{'text':'Hi'}]}}]}");

    List<StreamEvent> events =
        read(
            reader,
            "{'candidates':[{'content':{'parts':[{'text':'','thoughtSignature':'sig-end'}]},"
                + "'finishReason':'STOP'}]}");

    assertThat(events)
        .contains(new StreamEvent.ReasoningBlockEnd(new ReasoningBlock("", "sig-end", false)))
        .noneMatch(e -> e instanceof StreamEvent.ContentDelta);
  }

  @Test
  void read_chunkWithoutFinishReason_notFinished() {
    GeminiStreamDecoder reader = new GeminiStreamDecoder(ORIGIN, Map.of());

    read(
        reader,
        "{'candidates':[{'content':{'parts':[{'text':'Hi'}]},'finishReason':'FINISH_REASON_UNSPECIFIED'}]}");

    assertThat(reader.finished()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{'error':{'code':429,'message':'Resource has been exhausted','status':'RESOURCE_EXHAUSTED'}}|RateLimited",
        "{'error':{'code':503,'message':'The model is overloaded.','status':'UNAVAILABLE'}}|Unavailable",
        "{'error':{'message':'Internal error encountered.','status':'INTERNAL'}}|Unavailable",
        "{'error':{'code':400,'message':'Request contains an invalid argument.','status':'INVALID_ARGUMENT'}}|Rejected"
      })
  void read_errorChunk_mapsByCodeOrStatus(String chunk, String kind) {
    GeminiStreamDecoder reader = new GeminiStreamDecoder(ORIGIN, Map.of());

    Throwable t = catchThrowable(() -> read(reader, chunk));

    assertThat(t.getClass().getSimpleName()).isEqualTo(kind);
    assertThat(t.getMessage())
        .contains(Json.tryParse(chunk.replace('\'', '"')).at("/error/message").asText());
  }
}
