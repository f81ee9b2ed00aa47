package dev.providergateway.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.ToolArguments;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.Usage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps OpenAI Chat Completions answers to domain records: the whole completion, and the usage,
 * reasoning and finish reasons that streamed chunks carry too. Stateless.
 */
final class OpenAiResponseMapper {
  private OpenAiResponseMapper() {}

  /** The domain response of a non-streamed completion. */
  static CompletionResponse response(JsonNode json, Origin origin, Map<String, String> notes) {
    JsonNode choice = json.path("choices").path(0);
    JsonNode message = choice.path("message");
    if (!message.isObject()) {
      throw new ProviderException.InvalidResponse(
          origin, origin.provider() + " returned no choices[0].message", null);
    }
    List<ToolCall> calls = new ArrayList<>();
    for (JsonNode c : message.path("tool_calls")) {
      JsonNode fn = c.path("function");
      calls.add(
          ToolArguments.toolCall(
              c.path("id").asText(""),
              fn.path("name").asText(""),
              fn.path("arguments").asText("")));
    }
    Map<String, String> metadata = new LinkedHashMap<>(notes);
    String refusal = message.path("refusal").asText("");
    if (!refusal.isEmpty()) {
      metadata.put("refusal", refusal);
    }
    String content = message.path("content").asText("");
    String finish = choice.path("finish_reason").asText("");
    return new CompletionResponse(
        // A refusal is the answer the caller sees, as in a stream; metadata marks it as one.
        content.isEmpty() ? refusal : content,
        calls,
        stopReason(finish, !calls.isEmpty(), !refusal.isEmpty()),
        finish,
        usage(json.path("usage")),
        json.path("model").asText(origin.model()),
        reasoning(message),
        metadata,
        List.of());
  }

  /**
   * DeepSeek, vLLM and others put reasoning in {@code reasoning_content}; some in {@code
   * reasoning}.
   */
  static String reasoning(JsonNode messageOrDelta) {
    JsonNode r = messageOrDelta.path("reasoning_content");
    if (!r.isTextual()) {
      r = messageOrDelta.path("reasoning");
    }
    return r.isTextual() ? r.asText() : "";
  }

  /**
   * Usage normalized: the family's prompt_tokens already includes cached input. Cache reads are in
   * prompt_tokens_details.cached_tokens (OpenAI and most), prompt_cache_hit_tokens (DeepSeek) or a
   * top-level cached_tokens (Moonshot).
   */
  static Usage usage(JsonNode u) {
    JsonNode cached = u.path("prompt_tokens_details").path("cached_tokens");
    if (!cached.isNumber()) {
      cached = u.path("prompt_cache_hit_tokens");
    }
    if (!cached.isNumber()) {
      cached = u.path("cached_tokens");
    }
    return new Usage(
        u.path("prompt_tokens").asInt(0),
        u.path("completion_tokens").asInt(0),
        cached.asInt(0),
        0,
        u.path("completion_tokens_details").path("reasoning_tokens").asInt(0));
  }

  static StopReason stopReason(String finish, boolean toolCalls, boolean refused) {
    return switch (finish) {
      // Mistral says model_length; DeepSeek cuts answers short with insufficient_system_resource,
      // which, like length, needs a continuation.
      case "length", "model_length", "insufficient_system_resource" -> StopReason.LENGTH;
      case "tool_calls", "function_call" -> StopReason.TOOL_CALLS;
      case "content_filter" -> StopReason.CONTENT_FILTER;
      default ->
          refused ? StopReason.CONTENT_FILTER : toolCalls ? StopReason.TOOL_CALLS : StopReason.STOP;
    };
  }
}
