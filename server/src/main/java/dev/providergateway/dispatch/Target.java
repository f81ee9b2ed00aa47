package dev.providergateway.dispatch;

import static java.util.Objects.requireNonNull;

import dev.providergateway.registry.RegisteredProvider;

/** One concrete destination of a call: a registered provider and a non-empty model id. */
record Target(RegisteredProvider provider, String model) {
  Target {
    requireNonNull(provider, "provider");
    requireNonNull(model, "model");
  }
}
