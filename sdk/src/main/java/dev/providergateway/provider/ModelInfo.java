package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

/** One model a provider knows, with its capabilities. */
public record ModelInfo(String id, Capabilities capabilities) {
  public ModelInfo {
    requireNonNull(id, "id");
    requireNonNull(capabilities, "capabilities");
  }
}
