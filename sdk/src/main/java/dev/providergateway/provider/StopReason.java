package dev.providergateway.provider;

/** Why the model stopped, normalized across providers. */
public enum StopReason {
  /** Finished its answer or hit a stop sequence. */
  STOP,
  /** Hit the output token limit; the answer needs continuation. */
  LENGTH,
  /** Stopped to have tools called. */
  TOOL_CALLS,
  /** The provider withheld or cut the output. */
  CONTENT_FILTER
}
