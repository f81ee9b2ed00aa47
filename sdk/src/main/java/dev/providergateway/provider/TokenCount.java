package dev.providergateway.provider;

/**
 * The input tokens a chat request would use.
 *
 * @param inputTokens the count, zero or more
 * @param estimated true when it is the gateway's local estimate ({@link TokenEstimate}), false when
 *     the provider counted
 */
public record TokenCount(int inputTokens, boolean estimated) {
  public TokenCount {
    if (inputTokens < 0) {
      throw new IllegalArgumentException("inputTokens must be >= 0, was " + inputTokens);
    }
  }
}
