package dev.providergateway.provider.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.http.HttpErrors;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.http.StreamDecoder;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Decodes an Ollama {@code /api/chat} stream: newline-delimited JSON objects, each with a piece of
 * {@code message.content} and/or {@code message.thinking}, tool calls arriving whole (each call
 * becomes one {@link StreamEvent.ToolCallDelta} with its complete arguments), and a last object
 * with {@code "done": true}, {@code done_reason}, the token counts and timings. Blank lines are
 * skipped. A line {@code {"error": "..."}} fails the stream: the server reports failures that
 * way once the response has started, since the status line was already sent.
 */
final class OllamaStreamDecoder implements StreamDecoder {
  private final Origin origin;
  private final Map<String, String> notes;
  private boolean started;
  private boolean done;
  private int calls;

  OllamaStreamDecoder(Origin origin, Map<String, String> notes) {
    this.origin = origin;
    this.notes = notes;
  }

  @Override
  public boolean finished() {
    return done;
  }

  @Override
  public void onLine(String line, Consumer<StreamEvent> emit) {
    if (line.isBlank() || done) {
      return;
    }
    JsonNode chunk = Json.tryParse(line);
    if (chunk == null || !chunk.isObject()) {
      throw new ProviderException.InvalidResponse(origin, origin.provider() + " sent a stream line that is not a JSON object", null);
    }
    if (chunk.has("error")) {
      throw HttpErrors.fromStreamError(origin, "", line);
    }
    if (!started) {
      started = true;
      emit.accept(new StreamEvent.ResponseInfo(chunk.path("model").asText(origin.model()), notes));
    }
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
      ToolCall call = OllamaMapper.toolCall(c, index);
      emit.accept(new StreamEvent.ToolCallDelta(index, call.id(), call.name(), OllamaMapper.argumentsText(c.path("function").path("arguments"))));
    }
    if (chunk.path("done").asBoolean(false)) {
      done = true;
      String reason = chunk.path("done_reason").asText("");
      emit.accept(new StreamEvent.UsageReport(OllamaMapper.usage(chunk)));
      emit.accept(new StreamEvent.Finish(OllamaMapper.stopReason(reason, calls > 0), reason));
      Map<String, String> timings = OllamaMapper.timings(chunk);
      if (!timings.isEmpty()) {
        emit.accept(new StreamEvent.ResponseInfo("", timings));
      }
    }
  }
}
