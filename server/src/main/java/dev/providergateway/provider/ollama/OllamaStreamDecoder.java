package dev.providergateway.provider.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.http.HttpErrors;
import dev.providergateway.provider.http.NdjsonDecoder;
import dev.providergateway.provider.http.StreamStart;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Decodes an Ollama {@code /api/chat} stream: newline-delimited JSON objects, each with a piece of
 * {@code message.content} and/or {@code message.thinking}, tool calls arriving whole (each call
 * becomes one {@link StreamEvent.ToolCallDelta} with its complete arguments), and a last object
 * with {@code "done": true}, {@code done_reason}, the token counts and timings. A line {@code
 * {"error": "..."}} fails the stream: the server reports failures that way once the response has
 * started, since the status line was already sent.
 */
final class OllamaStreamDecoder extends NdjsonDecoder {
  private final StreamStart start;
  private boolean done;
  private int calls;

  OllamaStreamDecoder(Origin origin, Map<String, String> notes) {
    super(origin);
    this.start = new StreamStart(origin, notes);
  }

  @Override
  public boolean finished() {
    return done;
  }

  @Override
  protected void onObject(JsonNode chunk, Consumer<StreamEvent> emit) {
    if (chunk.has("error")) {
      throw HttpErrors.fromStreamError(origin, "", chunk.toString());
    }
    start.open(chunk.path("model").asText(""), emit);
    JsonNode message = chunk.path("message");
    String thinking = message.path("thinking").asText("");
    if (!thinking.isEmpty()) {
      emit.accept(new StreamEvent.ReasoningDelta(thinking));
    }
    String content = message.path("content").asText("");
    if (!content.isEmpty()) {
      emit.accept(new StreamEvent.ContentDelta(content));
    }
    for (JsonNode c : message.path("tool_calls")) {
      int index = calls++;
      ToolCall call = OllamaResponseMapper.toolCall(c, index);
      emit.accept(
          new StreamEvent.ToolCallDelta(
              index,
              call.id(),
              call.name(),
              OllamaResponseMapper.argumentsText(c.path("function").path("arguments"))));
    }
    if (chunk.path("done").asBoolean(false)) {
      done = true;
      String reason = chunk.path("done_reason").asText("");
      emit.accept(new StreamEvent.UsageReport(OllamaResponseMapper.usage(chunk)));
      emit.accept(
          new StreamEvent.Finish(OllamaResponseMapper.stopReason(reason, calls > 0), reason));
      Map<String, String> timings = OllamaResponseMapper.timings(chunk);
      if (!timings.isEmpty()) {
        emit.accept(new StreamEvent.ResponseInfo("", timings));
      }
    }
  }
}
