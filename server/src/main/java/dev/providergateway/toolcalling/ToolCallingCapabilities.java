package dev.providergateway.toolcalling;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.ToolCallFormat;

/**
 * How a model calls tools, mirroring Victor's {@code ToolCallingCapabilities}.
 *
 * @param nativeToolCalls the upstream API takes tool definitions and returns structured calls
 * @param streamingToolCalls calls arrive incrementally while streaming
 * @param parallelToolCalls several calls may come in one response
 * @param toolChoiceParam the API accepts a tool-choice parameter
 * @param jsonFallbackParsing without native calls, calls are read from JSON in the text
 * @param xmlFallbackParsing without native calls, calls are read from XML-like tags in the text
 * @param thinkingMode the model reasons before answering
 * @param toolCallFormat how the model expresses calls
 * @param argumentFormat how arguments are encoded ({@code json})
 * @param recommendedMaxTools how many tools the model handles well
 */
public record ToolCallingCapabilities(
    boolean nativeToolCalls,
    boolean streamingToolCalls,
    boolean parallelToolCalls,
    boolean toolChoiceParam,
    boolean jsonFallbackParsing,
    boolean xmlFallbackParsing,
    boolean thinkingMode,
    ToolCallFormat toolCallFormat,
    String argumentFormat,
    int recommendedMaxTools) {

  public ToolCallingCapabilities {
    requireNonNull(toolCallFormat, "toolCallFormat");
    requireNonNull(argumentFormat, "argumentFormat");
  }

  /** True when tool calls must be described in the prompt and parsed out of the text. */
  public boolean needsFallback() {
    return !nativeToolCalls && (jsonFallbackParsing || xmlFallbackParsing);
  }

  /** True when the model can call tools one way or another. */
  public boolean supportsTools() {
    return nativeToolCalls || jsonFallbackParsing || xmlFallbackParsing;
  }
}
