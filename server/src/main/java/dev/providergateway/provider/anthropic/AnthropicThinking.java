package dev.providergateway.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.ErrorText;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.http.Json;
import java.util.Locale;
import java.util.Map;

/**
 * Extended thinking for a request: {@code extra.thinking} passed through as it is (for example
 * {@code {"type": "adaptive"}}), else {@code reasoning_effort} mapped to {@code {"type": "enabled",
 * "budget_tokens": N}} with the budgets of {@link #BUDGETS}. Also keeps {@code max_tokens} above
 * the budget, since Anthropic counts thinking within {@code max_tokens} and rejects a budget that
 * does not fit.
 */
final class AnthropicThinking {
  /**
   * Thinking budgets per effort, in tokens. 1,024 is Anthropic's minimum budget; each step up
   * quadruples it, staying well under every thinking model's output limit (32K and more).
   */
  static final Map<String, Integer> BUDGETS =
      Map.of("minimal", 1024, "low", 1024, "medium", 4096, "high", 16384);

  private AnthropicThinking() {}

  /** The {@code thinking} object to send, or null for none; notes say what was dropped. */
  static JsonNode of(ChatRequest r, Map<String, String> notes) {
    Object extra = r.extra().get("thinking");
    if (extra != null) {
      JsonNode node = Json.MAPPER.valueToTree(extra);
      if (!node.isObject()) {
        throw InvalidRequestException.of(
            "extra.thinking",
            "must be an object such as {\"type\": \"enabled\", \"budget_tokens\": 2048}, was "
                + ErrorText.quote(extra));
      }
      return node;
    }
    String effort = r.reasoningEffort().trim().toLowerCase(Locale.ROOT);
    if (effort.isEmpty() || effort.equals("none")) {
      return null;
    }
    Integer budget = BUDGETS.get(effort);
    if (budget == null) {
      throw InvalidRequestException.of(
          "reasoning_effort",
          "'"
              + r.reasoningEffort()
              + "' is not supported by Anthropic; expected none, minimal, low, medium or high");
    }
    if (!AnthropicModels.supportsThinking(r.model())) {
      notes.put("dropped.reasoning_effort", "model " + r.model() + " has no extended thinking");
      return null;
    }
    return Json.object().put("type", "enabled").put("budget_tokens", budget);
  }

  /** True when {@code thinking} turns thinking on (any type but {@code disabled}). */
  static boolean enabled(JsonNode thinking) {
    return thinking != null && !thinking.path("type").asText("").equals("disabled");
  }

  /**
   * The {@code max_tokens} to send: the request's, else {@code defaultMaxTokens}; with a thinking
   * budget, the default is added on top of it, and a request's value that leaves no room for the
   * answer is raised by the budget (with a note), so the answer keeps what the caller asked for.
   */
  static int maxTokens(
      Integer requested, JsonNode thinking, int defaultMaxTokens, Map<String, String> notes) {
    int budget =
        thinking != null && thinking.path("type").asText("").equals("enabled")
            ? Math.max(0, thinking.path("budget_tokens").asInt(0))
            : 0;
    if (requested == null) {
      return budget + defaultMaxTokens;
    }
    if (budget > 0 && requested <= budget) {
      notes.put(
          "adjusted.max_tokens",
          "raised from "
              + requested
              + " to "
              + (requested + budget)
              + ": Anthropic counts the thinking budget of "
              + budget
              + " tokens within max_tokens");
      return requested + budget;
    }
    return requested;
  }
}
