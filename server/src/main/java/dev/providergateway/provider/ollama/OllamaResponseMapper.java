package dev.providergateway.provider.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.ToolArguments;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.Usage;
import dev.providergateway.provider.http.HttpErrors;
import dev.providergateway.provider.http.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the JSON of Ollama's {@code /api/chat} answers to domain records: the whole completion, and
 * the tool calls (which carry no ids), usage, {@code done_reason} and timings that the last
 * streamed line carries too. Stateless.
 */
final class OllamaResponseMapper {
  private static final String[] DURATIONS = {
    "total_duration", "load_duration", "prompt_eval_duration", "eval_duration"
  };

  private OllamaResponseMapper() {}

  /** The domain response of a non-streamed completion. */
  static CompletionResponse response(JsonNode json, Origin origin, Map<String, String> notes) {
    if (json.path("error").isTextual()) {
      throw HttpErrors.fromStreamError(origin, "", json.toString());
    }
    JsonNode message = json.path("message");
    if (!message.isObject()) {
      throw new ProviderException.InvalidResponse(
          origin, origin.provider() + " returned no message", null);
    }
    List<ToolCall> calls = new ArrayList<>();
    for (JsonNode c : message.path("tool_calls")) {
      calls.add(toolCall(c, calls.size()));
    }
    Map<String, String> metadata = new LinkedHashMap<>(notes);
    metadata.putAll(timings(json));
    String doneReason = json.path("done_reason").asText("");
    return new CompletionResponse(
        message.path("content").asText(""),
        calls,
        stopReason(doneReason, !calls.isEmpty()),
        doneReason,
        usage(json),
        json.path("model").asText(origin.model()),
        message.path("thinking").asText(""),
        metadata,
        List.of());
  }

  /**
   * One tool call. Ollama's calls carry no ids, so the {@code index}-th call of a response gets
   * {@code call_<index>}; an id the server does send is kept.
   */
  static ToolCall toolCall(JsonNode call, int index) {
    String id = call.path("id").asText("");
    JsonNode fn = call.path("function");
    return ToolArguments.toolCall(
        id.isEmpty() ? "call_" + index : id,
        fn.path("name").asText(""),
        argumentsText(fn.path("arguments")));
  }

  /** The arguments as JSON text: an object as written, a string as the model gave it. */
  static String argumentsText(JsonNode arguments) {
    if (arguments.isMissingNode() || arguments.isNull()) {
      return "";
    }
    return arguments.isTextual() ? arguments.asText() : Json.write(arguments);
  }

  /** Ollama counts the prompt (cached or not) and the generated tokens, thinking included. */
  static Usage usage(JsonNode json) {
    return Usage.of(json.path("prompt_eval_count").asInt(0), json.path("eval_count").asInt(0));
  }

  /** Ollama says {@code stop} even when the model called tools, so calls decide first. */
  static StopReason stopReason(String doneReason, boolean toolCalls) {
    if (toolCalls) {
      return StopReason.TOOL_CALLS;
    }
    return doneReason.equals("length") ? StopReason.LENGTH : StopReason.STOP;
  }

  /** The server's timings, in nanoseconds, as response metadata. */
  static Map<String, String> timings(JsonNode json) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : DURATIONS) {
      if (json.path(key).isNumber()) {
        out.put(key + "_ns", json.path(key).asText());
      }
    }
    return out;
  }
}
