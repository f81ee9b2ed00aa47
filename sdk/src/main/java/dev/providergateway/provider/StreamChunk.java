package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * One chunk of a streamed completion as the gateway sends it, mirroring Victor's
 * {@code StreamChunk}. Exactly one chunk of a successful stream is final; only it carries
 * {@code toolCalls}, {@code stopReason}, {@code usage}, {@code provider}, {@code metadata} and
 * {@code reasoningBlocks}.
 */
public record StreamChunk(
    String content,
    String reasoningContent,
    List<StreamEvent.ToolCallDelta> toolCallDeltas,
    List<ToolCall> toolCalls,
    StopReason stopReason,
    String nativeStopReason,
    boolean isFinal,
    Usage usage,
    String model,
    String provider,
    Map<String, String> metadata,
    List<ReasoningBlock> reasoningBlocks) {

  public StreamChunk {
    requireNonNull(content, "content");
    requireNonNull(reasoningContent, "reasoningContent");
    toolCallDeltas = List.copyOf(toolCallDeltas);
    toolCalls = List.copyOf(toolCalls);
    requireNonNull(nativeStopReason, "nativeStopReason");
    requireNonNull(model, "model");
    requireNonNull(provider, "provider");
    metadata = Map.copyOf(metadata);
    reasoningBlocks = List.copyOf(reasoningBlocks);
    if (isFinal) {
      requireNonNull(stopReason, "stopReason of a final chunk");
      requireNonNull(usage, "usage of a final chunk");
    }
  }

  /** A non-final chunk carrying incremental data only. */
  public static StreamChunk delta(
      String content,
      String reasoningContent,
      List<StreamEvent.ToolCallDelta> toolCallDeltas,
      String model) {
    return new StreamChunk(
        content, reasoningContent, toolCallDeltas, List.of(), null, "", false, null, model, "",
        Map.of(), List.of());
  }
}
