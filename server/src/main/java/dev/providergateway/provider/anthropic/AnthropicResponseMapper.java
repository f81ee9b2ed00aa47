package dev.providergateway.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.ReasoningBlock;
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
 * Maps a Messages API response to the domain: content blocks, stop reasons and usage. Stateless.
 *
 * <p>Content blocks: {@code text} joins into the content; {@code thinking} into the reasoning
 * content and, with its signature, a {@link ReasoningBlock}; {@code redacted_thinking} into a
 * redacted block carrying its opaque data; {@code tool_use} into a {@link ToolCall} whose arguments
 * are the input object's JSON text. Other block types (server tools, their results) are skipped, so
 * a new upstream block type does not break parsing.
 */
final class AnthropicResponseMapper {
  private AnthropicResponseMapper() {}

  /** The domain response of a non-streamed message. */
  static CompletionResponse response(JsonNode json, Origin origin, Map<String, String> notes) {
    if (json.path("type").asText("").equals("error")) {
      throw HttpErrors.fromStreamError(
          origin, json.path("error").path("type").asText(""), json.toString());
    }
    JsonNode content = json.path("content");
    if (!content.isArray()) {
      throw new ProviderException.InvalidResponse(
          origin, origin.provider() + " returned no content array", null);
    }
    StringBuilder text = new StringBuilder();
    StringBuilder reasoning = new StringBuilder();
    List<ToolCall> calls = new ArrayList<>();
    List<ReasoningBlock> blocks = new ArrayList<>();
    for (JsonNode block : content) {
      switch (block.path("type").asText("")) {
        case "text" -> text.append(block.path("text").asText(""));
        case "thinking" -> {
          String thinking = block.path("thinking").asText("");
          reasoning.append(thinking);
          blocks.add(new ReasoningBlock(thinking, block.path("signature").asText(""), false));
        }
        case "redacted_thinking" ->
            blocks.add(new ReasoningBlock(block.path("data").asText(""), "", true));
        case "tool_use" -> {
          JsonNode input = block.path("input");
          calls.add(
              ToolArguments.toolCall(
                  block.path("id").asText(""),
                  block.path("name").asText(""),
                  input.isObject() ? Json.write(input) : ""));
        }
        default -> {}
      }
    }
    Map<String, String> metadata = new LinkedHashMap<>(notes);
    String stopSequence = json.path("stop_sequence").asText("");
    if (json.path("stop_sequence").isTextual() && !stopSequence.isEmpty()) {
      metadata.put("stop_sequence", stopSequence);
    }
    String stop = json.path("stop_reason").asText("");
    return new CompletionResponse(
        text.toString(),
        calls,
        stopReason(stop, !calls.isEmpty()),
        json.path("stop_reason").isTextual() ? stop : "",
        usage(json.path("usage")),
        json.path("model").asText(origin.model()),
        reasoning.toString(),
        metadata,
        blocks);
  }

  /**
   * Usage normalized: Anthropic's {@code input_tokens} excludes cached input, so the prompt count
   * adds the cache writes ({@code cache_creation_input_tokens}) and reads ({@code
   * cache_read_input_tokens}). Anthropic does not count thinking tokens apart from the output.
   */
  static Usage usage(JsonNode u) {
    int read = u.path("cache_read_input_tokens").asInt(0);
    int write = u.path("cache_creation_input_tokens").asInt(0);
    return new Usage(
        u.path("input_tokens").asInt(0) + write + read,
        u.path("output_tokens").asInt(0),
        read,
        write,
        0);
  }

  /**
   * The normalized stop reason. {@code pause_turn} (a long server-tool turn paused, to be continued
   * by sending the response back) and {@code model_context_window_exceeded} both mean the answer is
   * unfinished, which is what {@code length} tells a Victor agent.
   */
  static StopReason stopReason(String stop, boolean toolCalls) {
    return switch (stop) {
      case "end_turn", "stop_sequence" -> StopReason.STOP;
      case "max_tokens", "pause_turn", "model_context_window_exceeded" -> StopReason.LENGTH;
      case "tool_use" -> StopReason.TOOL_CALLS;
      case "refusal" -> StopReason.CONTENT_FILTER;
      default -> toolCalls ? StopReason.TOOL_CALLS : StopReason.STOP;
    };
  }
}
