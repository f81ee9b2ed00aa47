package dev.providergateway.provider.gemini;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.http.Json;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the gateway knows about Gemini models: the ones it lists, their context windows, and how
 * each family takes a reasoning effort. Gemini 2.5 models take a token budget ({@code
 * thinkingBudget}); Gemini 3 and later take a level ({@code thinkingLevel}); Gemini 1.x and 2.0 do
 * not think and reject a {@code thinkingConfig}, so the gateway drops the effort for them with a
 * note instead of failing the request.
 */
final class GeminiModels {
  static final String DEFAULT_MODEL = "gemini-2.5-flash";
  static final int ONE_MILLION = 1_048_576;

  /** The models listed by default, newest families first. */
  static final List<String> KNOWN =
      List.of(
          "gemini-2.5-pro",
          "gemini-2.5-flash",
          "gemini-2.5-flash-lite",
          "gemini-3-pro-preview",
          "gemini-3-flash-preview",
          "gemini-2.0-flash",
          "gemini-2.0-flash-lite");

  private static final Pattern THINKING_LEVEL =
      Pattern.compile("^gemini-([3-9]|\\d{2,})([-.].*)?$");
  private static final Pattern THINKING_BUDGET = Pattern.compile("^gemini-2\\.5([-.].*)?$");
  private static final Pattern NO_THINKING = Pattern.compile("^gemini-(1\\.|2\\.0)");
  private static final Pattern BUDGET = Pattern.compile("^-?\\d{1,6}$");

  // The budgets Google's own OpenAI-compatible endpoint uses for the same effort names.
  private static final Map<String, Integer> BUDGETS =
      Map.of(
          "none", 0, "minimal", 512, "low", 1024, "medium", 8192, "high", 24576, "auto", -1,
          "dynamic", -1);

  private GeminiModels() {}

  /** The model id without a {@code models/} prefix or a tuned-model path. */
  static String bare(String model) {
    return model.contains("/") ? model.substring(model.lastIndexOf('/') + 1) : model;
  }

  /** The context window in tokens; every current Gemini model has one million. 0 when unknown. */
  static int contextWindow(String model) {
    String m = bare(model);
    if (m.startsWith("gemini-1.5-pro")) {
      return 2 * ONE_MILLION;
    }
    return m.startsWith("gemini-") ? ONE_MILLION : 0;
  }

  /** True for models that think by default (and so may return thoughts and signatures). */
  static boolean thinks(String model) {
    String m = bare(model);
    return THINKING_LEVEL.matcher(m).matches()
        || THINKING_BUDGET.matcher(m).matches()
        || m.contains("thinking");
  }

  /** True for models known not to accept a {@code thinkingConfig}. */
  static boolean cannotThink(String model) {
    String m = bare(model);
    return NO_THINKING.matcher(m).find() && !m.contains("thinking");
  }

  /**
   * The {@code thinkingConfig} for {@code model}, or null when none should be sent. {@code effort}
   * is the request's reasoning effort ("" for none): {@code none}, {@code minimal}, {@code low},
   * {@code medium}, {@code high}, {@code auto} or a token budget.
   */
  static ObjectNode thinkingConfig(String model, String effort, boolean includeThoughts) {
    String e = effort.strip().toLowerCase(Locale.ROOT);
    if (cannotThink(model) || (e.isEmpty() && !(includeThoughts && thinks(model)))) {
      return null;
    }
    ObjectNode config = Json.object();
    if (!e.isEmpty()) {
      boolean levels = THINKING_LEVEL.matcher(bare(model)).matches();
      if (BUDGET.matcher(e).matches()) {
        config.put("thinkingBudget", Integer.parseInt(e));
      } else if (!BUDGETS.containsKey(e)) {
        throw InvalidRequestException.of(
            "reasoning_effort",
            "'"
                + effort
                + "' is not a Gemini reasoning effort; expected none, minimal, low, medium, high, auto or a token budget");
      } else if (levels && !e.equals("auto") && !e.equals("dynamic")) {
        // Gemini 3 has no "off"; minimal is the closest level to none.
        config.put("thinkingLevel", e.equals("none") ? "minimal" : e);
      } else {
        config.put("thinkingBudget", BUDGETS.get(e));
      }
    }
    if (includeThoughts) {
      config.put("includeThoughts", true);
    }
    return config;
  }
}
