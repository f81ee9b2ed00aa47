package dev.providergateway.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.ReasoningBlock;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolArguments;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.Usage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the {@link CompletionResponse} of a {@code generateContent} call by folding the events
 * {@link GeminiStreamDecoder} reads from it, so a response means the same whether it was streamed
 * or not; and normalizes usage and finish reasons for both paths. Stateless.
 */
final class GeminiResponseMapper {
  private GeminiResponseMapper() {}

  /** The domain response of a non-streamed completion. */
  static CompletionResponse response(JsonNode json, Origin origin, Map<String, String> notes) {
    if (!json.path("candidates").path(0).isObject()
        && json.path("promptFeedback").path("blockReason").asText("").isEmpty()) {
      throw new ProviderException.InvalidResponse(
          origin,
          origin.provider() + " returned neither candidates nor a promptFeedback.blockReason",
          null);
    }
    List<StreamEvent> events = new ArrayList<>();
    new GeminiStreamDecoder(origin, notes).read(json, json.toString(), events::add);
    StringBuilder content = new StringBuilder();
    StringBuilder reasoning = new StringBuilder();
    Map<Integer, String[]> calls = new TreeMap<>();
    List<ReasoningBlock> blocks = new ArrayList<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    Usage usage = Usage.ZERO;
    StreamEvent.Finish finish = null;
    String model = origin.model();
    for (StreamEvent event : events) {
      if (event instanceof StreamEvent.ContentDelta d) {
        content.append(d.text());
      } else if (event instanceof StreamEvent.ReasoningDelta d) {
        reasoning.append(d.text());
      } else if (event instanceof StreamEvent.ToolCallDelta d) {
        calls.put(d.index(), new String[] {d.id(), d.name(), d.argumentsDelta(), ""});
      } else if (event instanceof StreamEvent.ToolCallSignature s) {
        calls.get(s.index())[3] = s.signature();
      } else if (event instanceof StreamEvent.ReasoningBlockEnd b) {
        blocks.add(b.block());
      } else if (event instanceof StreamEvent.UsageReport u) {
        usage = u.usage();
      } else if (event instanceof StreamEvent.Finish f) {
        finish = f;
      } else if (event instanceof StreamEvent.ResponseInfo info) {
        model = info.model().isEmpty() ? model : info.model();
        metadata.putAll(info.metadata());
      }
    }
    List<ToolCall> toolCalls = new ArrayList<>();
    calls
        .values()
        .forEach(c -> toolCalls.add(ToolArguments.toolCall(c[0], c[1], c[2]).withSignature(c[3])));
    StopReason reason =
        finish != null
            ? finish.reason()
            : toolCalls.isEmpty() ? StopReason.STOP : StopReason.TOOL_CALLS;
    return new CompletionResponse(
        content.toString(),
        toolCalls,
        reason,
        finish != null ? finish.nativeReason() : "",
        usage,
        model,
        reasoning.toString(),
        metadata,
        blocks);
  }

  /**
   * Usage normalized: Gemini's {@code promptTokenCount} already includes cached input; tool-use
   * prompt tokens (search, code execution) are input too. Thoughts are billed as output.
   */
  static Usage usage(JsonNode u) {
    int thoughts = u.path("thoughtsTokenCount").asInt(0);
    return new Usage(
        u.path("promptTokenCount").asInt(0) + u.path("toolUsePromptTokenCount").asInt(0),
        u.path("candidatesTokenCount").asInt(0) + thoughts,
        u.path("cachedContentTokenCount").asInt(0),
        0,
        thoughts);
  }

  /**
   * The normalized stop reason. Reasons where Gemini withheld output are {@code content_filter};
   * the function-calling failures ({@code MALFORMED_FUNCTION_CALL}, {@code UNEXPECTED_TOOL_CALL},
   * {@code TOO_MANY_TOOL_CALLS}) carry no calls and are {@code stop}, their native value telling
   * the caller what happened.
   */
  static StopReason stopReason(String finish, boolean toolCalls) {
    return switch (finish) {
      case "MAX_TOKENS" -> StopReason.LENGTH;
      case "SAFETY",
          "RECITATION",
          "BLOCKLIST",
          "PROHIBITED_CONTENT",
          "SPII",
          "LANGUAGE",
          "IMAGE_SAFETY",
          "IMAGE_PROHIBITED_CONTENT",
          "IMAGE_RECITATION" ->
          StopReason.CONTENT_FILTER;
      default -> toolCalls ? StopReason.TOOL_CALLS : StopReason.STOP;
    };
  }
}
