package dev.providergateway.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.http.HttpErrors;
import dev.providergateway.provider.http.JsonSseDecoder;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Decodes an OpenAI Chat Completions SSE stream: {@code data:} chunks with {@code choices[0].delta}
 * (content, reasoning, refusal, tool-call fragments by {@code index}), a chunk carrying {@code
 * finish_reason}, a usage-only chunk (asked for with {@code stream_options.include_usage}), then
 * {@code data: [DONE]}. An {@code error} object in a chunk fails the stream.
 *
 * <p>Variants of the family: usage may come on the finish chunk (Mistral, which rejects {@code
 * stream_options}) or in {@code x_groq.usage} (Groq); reasoning in {@code reasoning_content} or
 * {@code reasoning}. A refusal streams as content and is also reported in the metadata, as {@code
 * chat()} does.
 */
final class OpenAiStreamDecoder extends JsonSseDecoder {
  private final StringBuilder refusal = new StringBuilder();
  private boolean sawToolCalls;

  OpenAiStreamDecoder(Origin origin, Map<String, String> notes) {
    super(origin, notes);
  }

  /** The end marker {@code [DONE]} is not JSON. */
  @Override
  protected void onEvent(String event, String data, Consumer<StreamEvent> emit) {
    if (!data.equals("[DONE]")) {
      super.onEvent(event, data, emit);
      return;
    }
    finish();
    if (!refusal.isEmpty()) {
      emit.accept(new StreamEvent.ResponseInfo("", Map.of("refusal", refusal.toString())));
    }
  }

  @Override
  protected void onJson(String event, JsonNode chunk, String data, Consumer<StreamEvent> emit) {
    if (chunk.has("error")) {
      JsonNode error = chunk.path("error");
      throw HttpErrors.fromStreamError(
          origin, error.path("type").asText(error.path("code").asText("")), data);
    }
    start.open(chunk.path("model").asText(""), emit);
    for (JsonNode choice : chunk.path("choices")) {
      if (choice.path("index").asInt(0) != 0) {
        continue; // n > 1 (through extra) is not supported: the contract has one answer.
      }
      JsonNode delta = choice.path("delta");
      String reasoning = OpenAiResponseMapper.reasoning(delta);
      if (!reasoning.isEmpty()) {
        emit.accept(new StreamEvent.ReasoningDelta(reasoning));
      }
      String content = delta.path("content").asText("");
      if (!content.isEmpty()) {
        emit.accept(new StreamEvent.ContentDelta(content));
      }
      String refused = delta.path("refusal").asText("");
      if (!refused.isEmpty()) {
        refusal.append(refused);
        emit.accept(new StreamEvent.ContentDelta(refused));
      }
      for (JsonNode call : delta.path("tool_calls")) {
        sawToolCalls = true;
        JsonNode fn = call.path("function");
        emit.accept(
            new StreamEvent.ToolCallDelta(
                call.path("index").asInt(0),
                call.path("id").asText(""),
                fn.path("name").asText(""),
                fn.path("arguments").asText("")));
      }
      String finish = choice.path("finish_reason").asText("");
      if (!finish.isEmpty() && !finish.equals("null")) {
        emit.accept(
            new StreamEvent.Finish(
                OpenAiResponseMapper.stopReason(finish, sawToolCalls, !refusal.isEmpty()), finish));
      }
    }
    JsonNode usage = chunk.path("usage");
    if (!usage.isObject()) {
      usage = chunk.path("x_groq").path("usage");
    }
    if (usage.isObject()) {
      emit.accept(new StreamEvent.UsageReport(OpenAiResponseMapper.usage(usage)));
    }
  }
}
