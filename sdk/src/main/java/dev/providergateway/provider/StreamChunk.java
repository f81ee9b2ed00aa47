package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * One chunk of a streamed completion as the gateway sends it, mirroring Victor's {@code
 * StreamChunk}. Exactly one chunk of a successful stream is final; only it carries {@code
 * toolCalls}, {@code stopReason}, {@code usage}, {@code provider}, {@code metadata} and {@code
 * reasoningBlocks}.
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
    return builder(model)
        .content(content)
        .reasoningContent(reasoningContent)
        .toolCallDeltas(toolCallDeltas)
        .build();
  }

  /** A builder for a chunk from {@code model}; every other value starts empty and non-final. */
  public static Builder builder(String model) {
    return new Builder(model);
  }

  /** A builder holding this chunk's values. */
  public Builder toBuilder() {
    Builder b = new Builder(model);
    b.content = content;
    b.reasoningContent = reasoningContent;
    b.toolCallDeltas = toolCallDeltas;
    b.toolCalls = toolCalls;
    b.stopReason = stopReason;
    b.nativeStopReason = nativeStopReason;
    b.isFinal = isFinal;
    b.usage = usage;
    b.provider = provider;
    b.metadata = metadata;
    b.reasoningBlocks = reasoningBlocks;
    return b;
  }

  /** This chunk with {@code metadata} instead of its own. */
  public StreamChunk withMetadata(Map<String, String> metadata) {
    return toBuilder().metadata(metadata).build();
  }

  /** Builds a {@link StreamChunk}; not thread-safe. */
  public static final class Builder {
    private final String model;
    private String content = "";
    private String reasoningContent = "";
    private List<StreamEvent.ToolCallDelta> toolCallDeltas = List.of();
    private List<ToolCall> toolCalls = List.of();
    private StopReason stopReason;
    private String nativeStopReason = "";
    private boolean isFinal;
    private Usage usage;
    private String provider = "";
    private Map<String, String> metadata = Map.of();
    private List<ReasoningBlock> reasoningBlocks = List.of();

    private Builder(String model) {
      this.model = requireNonNull(model, "model");
    }

    public Builder content(String value) {
      this.content = value;
      return this;
    }

    public Builder reasoningContent(String value) {
      this.reasoningContent = value;
      return this;
    }

    public Builder toolCallDeltas(List<StreamEvent.ToolCallDelta> value) {
      this.toolCallDeltas = value;
      return this;
    }

    public Builder toolCalls(List<ToolCall> value) {
      this.toolCalls = value;
      return this;
    }

    /** Makes this the final chunk, which needs a stop reason (normalized and native) and usage. */
    public Builder finish(StopReason stopReason, String nativeStopReason, Usage usage) {
      this.isFinal = true;
      this.stopReason = stopReason;
      this.nativeStopReason = nativeStopReason;
      this.usage = usage;
      return this;
    }

    public Builder provider(String value) {
      this.provider = value;
      return this;
    }

    public Builder metadata(Map<String, String> value) {
      this.metadata = value;
      return this;
    }

    public Builder reasoningBlocks(List<ReasoningBlock> value) {
      this.reasoningBlocks = value;
      return this;
    }

    public StreamChunk build() {
      return new StreamChunk(
          content,
          reasoningContent,
          toolCallDeltas,
          toolCalls,
          stopReason,
          nativeStopReason,
          isFinal,
          usage,
          model,
          provider,
          metadata,
          reasoningBlocks);
    }
  }
}
