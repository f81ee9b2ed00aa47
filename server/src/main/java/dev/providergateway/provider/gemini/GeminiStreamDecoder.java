package dev.providergateway.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.ReasoningBlock;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.http.HttpErrors;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.http.JsonSseDecoder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Decodes Gemini {@code GenerateContentResponse} objects into {@link StreamEvent}s: one per SSE
 * chunk of a {@code streamGenerateContent?alt=sse} body (Google frames them with {@code \r\n\r\n}),
 * and the single object of a {@code generateContent} answer, which {@link GeminiResponseMapper}
 * folds, so the streamed and the non-streamed path share one interpretation. There is no {@code
 * [DONE]} marker: the stream ended cleanly once a chunk carried a {@code finishReason} (or a prompt
 * block reason) and the body then ended; a body that ends before that died. One instance per
 * response; not thread-safe.
 *
 * <ul>
 *   <li>{@code candidates[0].content.parts}: text parts become content, thought parts ({@code
 *       thought: true}) reasoning, {@code functionCall} parts tool calls (whole, one per part,
 *       indexed in order across chunks; id {@code functionCall.id} when Gemini sent one, else
 *       {@code call_<index>}).
 *   <li>{@code thoughtSignature}: on a {@code functionCall} part it is the call's signature; on a
 *       thought part it closes a reasoning block holding the text of the run of thought parts it
 *       ends; on a text part it is a reasoning block with empty text. {@link GeminiContents} puts
 *       each back where it came from.
 *   <li>{@code finishReason} ends the response; {@code promptFeedback.blockReason} without
 *       candidates is a blocked prompt ({@code content_filter}).
 *   <li>{@code usageMetadata} is cumulative; the last report wins.
 *   <li>An {@code error} object arriving as a chunk fails the stream.
 * </ul>
 */
final class GeminiStreamDecoder extends JsonSseDecoder {
  private final StringBuilder thought = new StringBuilder();
  private boolean sawCalls;
  private int nextCall;

  GeminiStreamDecoder(Origin origin, Map<String, String> notes) {
    super(origin, notes);
  }

  @Override
  protected void onJson(String event, JsonNode chunk, String data, Consumer<StreamEvent> emit) {
    read(chunk, data, emit);
  }

  /**
   * Reads one response object, a chunk or a whole answer; throws a {@link ProviderException} for an
   * error. Finished once it carried a finish reason or a prompt block reason.
   */
  void read(JsonNode chunk, String text, Consumer<StreamEvent> emit) {
    JsonNode error = chunk.get("error");
    if (error != null) {
      int code = error.path("code").asInt(0);
      String kind =
          code >= 400 && code < 600 ? Integer.toString(code) : error.path("status").asText("");
      throw HttpErrors.fromStreamError(origin, kind, text);
    }
    Map<String, String> id =
        chunk.hasNonNull("responseId")
            ? Map.of("response_id", chunk.get("responseId").asText())
            : Map.of();
    start.open(GeminiModels.bare(chunk.path("modelVersion").asText(origin.model())), id, emit);
    JsonNode candidate = chunk.path("candidates").path(0);
    for (JsonNode part : candidate.path("content").path("parts")) {
      part(part, emit);
    }
    JsonNode usage = chunk.get("usageMetadata");
    if (usage != null && usage.isObject()) {
      emit.accept(new StreamEvent.UsageReport(GeminiResponseMapper.usage(usage)));
    }
    String finish = candidate.path("finishReason").asText("");
    if (!finish.isEmpty() && !finish.equals("FINISH_REASON_UNSPECIFIED")) {
      finish();
      if (candidate.hasNonNull("finishMessage")) {
        emit.accept(
            new StreamEvent.ResponseInfo(
                "", Map.of("finish_message", candidate.get("finishMessage").asText())));
      }
      emit.accept(
          new StreamEvent.Finish(GeminiResponseMapper.stopReason(finish, sawCalls), finish));
    }
    String blocked = chunk.path("promptFeedback").path("blockReason").asText("");
    if (!blocked.isEmpty() && candidate.isMissingNode()) {
      finish();
      Map<String, String> metadata = new LinkedHashMap<>();
      metadata.put("block_reason", blocked);
      String message = chunk.path("promptFeedback").path("blockReasonMessage").asText("");
      metadata.put(
          "note",
          message.isEmpty()
              ? "Gemini blocked the prompt (" + blocked + ") and generated nothing"
              : message);
      emit.accept(new StreamEvent.ResponseInfo("", metadata));
      emit.accept(new StreamEvent.Finish(StopReason.CONTENT_FILTER, blocked));
    }
  }

  private void part(JsonNode part, Consumer<StreamEvent> emit) {
    String signature = part.path("thoughtSignature").asText("");
    boolean isThought = part.path("thought").asBoolean(false);
    if (!isThought) {
      // A block is the run of thought parts that its signature ends; unsigned runs are not kept.
      thought.setLength(0);
    }
    JsonNode call = part.get("functionCall");
    if (call != null && call.isObject()) {
      int index = nextCall++;
      sawCalls = true;
      String id = call.path("id").asText("");
      JsonNode args = call.get("args");
      String arguments = args == null || args.isNull() ? "{}" : Json.write(args);
      emit.accept(
          new StreamEvent.ToolCallDelta(
              index, id.isEmpty() ? "call_" + index : id, call.path("name").asText(""), arguments));
      if (!signature.isEmpty()) {
        emit.accept(new StreamEvent.ToolCallSignature(index, signature));
      }
      return;
    }
    String text = part.path("text").asText("");
    if (isThought) {
      if (!text.isEmpty()) {
        thought.append(text);
        emit.accept(new StreamEvent.ReasoningDelta(text));
      }
      if (!signature.isEmpty()) {
        emit.accept(
            new StreamEvent.ReasoningBlockEnd(
                new ReasoningBlock(thought.toString(), signature, false)));
        thought.setLength(0);
      }
      return;
    }
    if (!text.isEmpty()) {
      emit.accept(new StreamEvent.ContentDelta(text));
    }
    if (!signature.isEmpty()) {
      emit.accept(new StreamEvent.ReasoningBlockEnd(new ReasoningBlock("", signature, false)));
    }
    // Other parts (executableCode, inlineData output, ...) have no place in the contract.
  }
}
