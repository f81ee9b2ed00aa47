package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

/**
 * What a provider or one of its models supports, answering Victor's {@code supports_*()} and {@code
 * context_window()} queries. {@code contextWindow} is 0 when unknown.
 */
public record Capabilities(
    boolean tools,
    boolean streaming,
    boolean vision,
    boolean promptCaching,
    ToolCallFormat toolCallFormat,
    int contextWindow) {

  public Capabilities {
    requireNonNull(toolCallFormat, "toolCallFormat");
    if (contextWindow < 0) {
      throw new IllegalArgumentException("contextWindow must be >= 0, was " + contextWindow);
    }
  }
}
