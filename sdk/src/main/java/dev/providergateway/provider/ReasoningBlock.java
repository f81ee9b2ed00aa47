package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

/**
 * One block of a model's reasoning, as some providers require it sent back unchanged in later turns
 * (Anthropic thinking blocks with their signatures, Gemini thought signatures). Clients keep these
 * from a response and return them on the assistant message.
 *
 * @param text the reasoning text, or for a redacted block the provider's opaque data
 * @param signature the provider's signature over the block ("" when none)
 * @param redacted true for a block the provider redacted (its {@code text} is opaque data)
 */
public record ReasoningBlock(String text, String signature, boolean redacted) {
  public ReasoningBlock {
    requireNonNull(text, "text");
    requireNonNull(signature, "signature");
  }
}
