package dev.providergateway.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Builds {@link ToolCall}s from a model's raw argument text, as the contract asks: text that is
 * exactly one JSON object is kept as the arguments; anything else (invalid JSON, an array, an
 * object followed by more text) becomes {@code "{}"} with the text kept in {@code rawArguments}, so
 * a malformed call is reported rather than silently repaired. Blank text means no arguments.
 */
public final class ToolArguments {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private ToolArguments() {}

  /** The tool call {@code id}/{@code name} with arguments parsed from {@code raw}. */
  public static ToolCall toolCall(String id, String name, String raw) {
    if (raw.isBlank()) {
      return ToolCall.of(id, name, "{}");
    }
    return isJsonObject(raw) ? ToolCall.of(id, name, raw) : new ToolCall(id, name, "{}", raw);
  }

  /** True when {@code text} is exactly one JSON object. */
  public static boolean isJsonObject(String text) {
    try {
      JsonNode node = JSON.readTree(text);
      return node != null && node.isObject();
    } catch (JsonProcessingException e) {
      return false;
    }
  }
}
