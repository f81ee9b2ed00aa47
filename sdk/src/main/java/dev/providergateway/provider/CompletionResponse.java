package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * The whole result of a {@code chat()} call, mirroring Victor's {@code CompletionResponse}.
 *
 * @param content the assistant's text
 * @param toolCalls the complete tool calls, in order
 * @param stopReason the normalized stop reason
 * @param nativeStopReason the provider's own stop reason, verbatim ("" when it sent none)
 * @param usage token counts
 * @param model the model that answered, as the provider reported it
 * @param reasoningContent the model's reasoning text, "" when none
 * @param metadata extra facts about the call (for example parameters dropped for this model)
 * @param reasoningBlocks the reasoning blocks to send back on the assistant message in later turns
 *     (with their signatures), empty when the provider needs none
 * @param rawResponse the upstream's response body when the caller asked for it ({@link
 *     ChatRequest#includeRaw()}), "" otherwise; never logged
 */
public record CompletionResponse(
    String content,
    List<ToolCall> toolCalls,
    StopReason stopReason,
    String nativeStopReason,
    Usage usage,
    String model,
    String reasoningContent,
    Map<String, String> metadata,
    List<ReasoningBlock> reasoningBlocks,
    String rawResponse) {

  public CompletionResponse {
    requireNonNull(content, "content");
    toolCalls = List.copyOf(toolCalls);
    requireNonNull(stopReason, "stopReason");
    requireNonNull(nativeStopReason, "nativeStopReason");
    requireNonNull(usage, "usage");
    requireNonNull(model, "model");
    requireNonNull(reasoningContent, "reasoningContent");
    metadata = Map.copyOf(metadata);
    reasoningBlocks = List.copyOf(reasoningBlocks);
    requireNonNull(rawResponse, "rawResponse");
  }

  /** A response without the raw upstream body. */
  public CompletionResponse(
      String content,
      List<ToolCall> toolCalls,
      StopReason stopReason,
      String nativeStopReason,
      Usage usage,
      String model,
      String reasoningContent,
      Map<String, String> metadata,
      List<ReasoningBlock> reasoningBlocks) {
    this(
        content,
        toolCalls,
        stopReason,
        nativeStopReason,
        usage,
        model,
        reasoningContent,
        metadata,
        reasoningBlocks,
        "");
  }

  /** This response carrying {@code raw} as the upstream's raw body. */
  public CompletionResponse withRawResponse(String raw) {
    return new CompletionResponse(
        content,
        toolCalls,
        stopReason,
        nativeStopReason,
        usage,
        model,
        reasoningContent,
        metadata,
        reasoningBlocks,
        raw);
  }

  /** This response with {@code metadata} instead of its own. */
  public CompletionResponse withMetadata(Map<String, String> metadata) {
    return new CompletionResponse(
        content,
        toolCalls,
        stopReason,
        nativeStopReason,
        usage,
        model,
        reasoningContent,
        metadata,
        reasoningBlocks,
        rawResponse);
  }
}
