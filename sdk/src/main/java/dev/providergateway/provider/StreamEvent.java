package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One thing a provider's stream reports, in upstream order. Providers translate their wire events
 * into these; the gateway assembles them into {@link StreamChunk}s, accumulates tool calls, usage
 * and the stop reason, and emits the single final chunk itself. A provider therefore never builds a
 * final chunk: it completes its publisher when the upstream response ended cleanly.
 */
public sealed interface StreamEvent {

  /** The next piece of the assistant's text. */
  record ContentDelta(String text) implements StreamEvent {
    public ContentDelta {
      requireNonNull(text, "text");
    }
  }

  /** The next piece of the model's reasoning text. */
  record ReasoningDelta(String text) implements StreamEvent {
    public ReasoningDelta {
      requireNonNull(text, "text");
    }
  }

  /**
   * A fragment of the tool call at {@code index} (0-based, per response). {@code id} and {@code
   * name} are set on the first fragment of a call and may be empty on later ones; concatenating
   * {@code argumentsDelta} of one index gives the call's raw argument text.
   */
  record ToolCallDelta(int index, String id, String name, String argumentsDelta)
      implements StreamEvent {
    public ToolCallDelta {
      checkIndex(index);
      requireNonNull(id, "id");
      requireNonNull(name, "name");
      requireNonNull(argumentsDelta, "argumentsDelta");
    }
  }

  /**
   * A reasoning block is complete: its whole text (already streamed as {@link ReasoningDelta}s) and
   * its signature. The gateway returns these on the final chunk for the client to send back.
   */
  record ReasoningBlockEnd(ReasoningBlock block) implements StreamEvent {
    public ReasoningBlockEnd {
      requireNonNull(block, "block");
    }
  }

  /** The provider's signature on the tool call at {@code index} (Gemini's thought signature). */
  record ToolCallSignature(int index, String signature) implements StreamEvent {
    public ToolCallSignature {
      checkIndex(index);
      requireNonNull(signature, "signature");
    }
  }

  /** Token counts so far; a later report replaces an earlier one. */
  record UsageReport(Usage usage) implements StreamEvent {
    public UsageReport {
      requireNonNull(usage, "usage");
    }
  }

  /** Why the model stopped: normalized, and the provider's own value verbatim. */
  record Finish(StopReason reason, String nativeReason) implements StreamEvent {
    public Finish {
      requireNonNull(reason, "reason");
      requireNonNull(nativeReason, "nativeReason");
    }
  }

  /** The model the upstream says is answering, and facts to carry in response metadata. */
  record ResponseInfo(String model, Map<String, String> metadata) implements StreamEvent {
    public ResponseInfo {
      requireNonNull(model, "model");
      metadata = Map.copyOf(metadata);
    }
  }

  private static void checkIndex(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0, was " + index);
    }
  }
}
