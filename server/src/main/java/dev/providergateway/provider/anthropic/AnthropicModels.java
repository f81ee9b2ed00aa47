package dev.providergateway.provider.anthropic;

import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.ModelInfo;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ResponseFormat;
import dev.providergateway.provider.ToolCallFormat;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * What the gateway knows about Claude models: the current ones to list (every one has a 200K token
 * context window; 1M is a beta that needs an {@code anthropic-beta} header), and which models have
 * extended thinking.
 */
final class AnthropicModels {
  /** The default model: the alias of the current Sonnet, which follows its snapshots. */
  static final String DEFAULT_MODEL = "claude-sonnet-4-5";

  static final int CONTEXT_WINDOW = 200_000;
  static final Capabilities CAPABILITIES =
      new Capabilities(true, true, true, true, ToolCallFormat.ANTHROPIC, CONTEXT_WINDOW);

  /** Current models by API alias, newest families first. */
  private static final List<String> KNOWN =
      List.of(
          "claude-opus-4-6",
          "claude-sonnet-4-6",
          "claude-opus-4-5",
          "claude-sonnet-4-5",
          "claude-haiku-4-5",
          "claude-opus-4-1",
          "claude-opus-4-0",
          "claude-sonnet-4-0",
          "claude-3-7-sonnet-latest",
          "claude-3-5-haiku-latest");

  private AnthropicModels() {}

  /** The known models, then {@code extra} ones from config, each once, default model first. */
  static List<ModelInfo> list(String defaultModel, List<String> extra) {
    List<String> ids = new ArrayList<>();
    ids.add(defaultModel);
    for (String id : KNOWN) {
      if (!ids.contains(id)) {
        ids.add(id);
      }
    }
    for (String id : extra) {
      if (!ids.contains(id)) {
        ids.add(id);
      }
    }
    return ids.stream().map(id -> new ModelInfo(id, CAPABILITIES)).toList();
  }

  /**
   * False for the Claude 3 and 3.5 models, which reject a {@code thinking} parameter; true for
   * Claude 3.7 and every later model, and for unknown names (a proxy's or a future model).
   */
  static boolean supportsThinking(String model) {
    String bare = model.contains("/") ? model.substring(model.lastIndexOf('/') + 1) : model;
    return !(bare.startsWith("claude-3-") && !bare.startsWith("claude-3-7"));
  }

  /** The beta that turns on {@code output_format} (Anthropic's structured outputs). */
  static final String STRUCTURED_OUTPUTS_BETA = "structured-outputs-2025-11-13";

  /** The model families with native structured outputs, per Anthropic's documentation. */
  private static final List<String> STRUCTURED =
      List.of(
          "claude-opus-4-6",
          "claude-sonnet-4-6",
          "claude-opus-4-5",
          "claude-sonnet-4-5",
          "claude-haiku-4-5",
          "claude-opus-4-1");

  /**
   * True when {@code r} asks for a JSON schema from a model with native structured outputs (its
   * alias or a dated snapshot of one of {@link #STRUCTURED}); unknown and older models keep the
   * system-prompt emulation.
   */
  static boolean nativeStructuredOutput(ChatRequest r) {
    if (!(r.responseFormat() instanceof ResponseFormat.JsonSchema)) {
      return false;
    }
    String model = r.model();
    String bare = model.contains("/") ? model.substring(model.lastIndexOf('/') + 1) : model;
    return STRUCTURED.stream().anyMatch(f -> bare.equals(f) || bare.startsWith(f + "-"));
  }

  /** What an instance of wire type {@code type} at {@code base} says about itself. */
  static ProviderDescriptor descriptor(
      String type, URI base, String defaultModel, List<String> configured) {
    return new ProviderDescriptor(
        type,
        "Anthropic Messages at " + base.getHost(),
        defaultModel,
        list(defaultModel, configured),
        CAPABILITIES,
        false);
  }
}
