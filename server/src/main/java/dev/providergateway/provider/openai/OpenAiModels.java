package dev.providergateway.provider.openai;

import java.util.regex.Pattern;

/**
 * Which request parameters a model accepts. OpenAI's reasoning models (o1, o3, o4 and the gpt-5
 * family) reject {@code temperature} and {@code top_p} and want {@code max_completion_tokens}; the
 * gateway drops or renames those with a note in the response metadata instead of failing the
 * request.
 */
final class OpenAiModels {
  private static final Pattern REASONING = Pattern.compile("^(o\\d|gpt-5)([-.].*)?$");

  private OpenAiModels() {}

  /** The parameter rules of one model. */
  record Rules(boolean acceptsSampling, boolean acceptsReasoningEffort, String maxTokensField) {}

  static Rules rulesFor(String model, boolean officialOpenAi) {
    String bare = model.contains("/") ? model.substring(model.lastIndexOf('/') + 1) : model;
    boolean reasoning = REASONING.matcher(bare).matches();
    // OpenAI deprecated max_tokens for every model; compatible servers (OpenRouter, Groq, vLLM,
    // ...) document only max_tokens, even when they route to an OpenAI reasoning model.
    String maxTokens = officialOpenAi ? "max_completion_tokens" : "max_tokens";
    if (reasoning) {
      return new Rules(false, true, maxTokens);
    }
    // Compatible servers (vLLM, DeepSeek, Groq, ...) accept reasoning_effort where their models
    // do and ignore it otherwise; OpenAI's own non-reasoning models reject it.
    return new Rules(true, !officialOpenAi, maxTokens);
  }
}
