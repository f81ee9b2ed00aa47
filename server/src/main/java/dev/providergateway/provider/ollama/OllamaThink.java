package dev.providergateway.provider.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.InvalidRequestException;
import java.util.Locale;
import java.util.Map;

/**
 * Chooses Ollama's {@code think} value from the request: {@code extra.thinking} (Victor's kwarg: a
 * boolean, an effort level, or Anthropic's {@code {type: enabled|disabled}}), else {@code
 * reasoning_effort}. An explicit {@code extra.think} is passed through verbatim and wins over both
 * (the mapper writes it last).
 *
 * <p>Only models that take effort levels (gpt-oss) get {@code "low"}, {@code "medium"} or {@code
 * "high"}; every other thinking model gets {@code true}, because Ollama releases before effort
 * levels reject a string {@code think} and the newer ones treat any level as {@code true} for those
 * models anyway. {@code none} (and {@code false}) turn thinking off.
 */
final class OllamaThink {
  private OllamaThink() {}

  /** The {@code think} value to send, or null to send none. */
  static JsonNode of(ChatRequest r) {
    Object thinking = r.extra().get("thinking");
    if (thinking != null) {
      return fromThinking(thinking, r.model());
    }
    return r.reasoningEffort().isEmpty() ? null : fromEffort(r.reasoningEffort(), r.model());
  }

  /** True for models whose {@code think} accepts effort levels. */
  static boolean acceptsLevels(String model) {
    return model.toLowerCase(Locale.ROOT).contains("gpt-oss");
  }

  private static JsonNode fromThinking(Object value, String model) {
    if (value instanceof Boolean b) {
      return BooleanNode.valueOf(b);
    }
    if (value instanceof String s) {
      return fromEffort(s, model);
    }
    if (value instanceof Map<?, ?> map && map.get("type") instanceof String type) {
      return BooleanNode.valueOf(!type.equalsIgnoreCase("disabled"));
    }
    throw InvalidRequestException.of(
        "extra.thinking",
        "must be a boolean, an effort level (low, medium, high, none) or {type: enabled|disabled}, was "
            + value);
  }

  private static JsonNode fromEffort(String effort, String model) {
    String e = effort.strip().toLowerCase(Locale.ROOT);
    if (e.equals("none") || e.equals("false") || e.equals("disabled")) {
      return BooleanNode.FALSE;
    }
    if (!acceptsLevels(model)) {
      return BooleanNode.TRUE;
    }
    return switch (e) {
      case "minimal", "low" -> TextNode.valueOf("low");
      case "medium" -> TextNode.valueOf("medium");
      case "high", "xhigh", "max" -> TextNode.valueOf("high");
      default -> BooleanNode.TRUE;
    };
  }
}
