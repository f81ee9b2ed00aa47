package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What a provider instance says about itself for {@code ListProviders}. Immutable; a provider
 * builds it once (in its constructor) and returns the same instance from {@link
 * Provider#descriptor()}, which is called on gRPC threads for every {@code ListProviders}.
 *
 * <p>The tool-calling fields of {@code ListProviders} (native or fallback calls, the tool-call
 * format) come from the gateway's capability table when it has an entry for the provider's name or
 * wire type; otherwise from {@link #capabilities} here.
 *
 * @param wireType the implementation, as named in config {@code type} (for example {@code echo})
 * @param description one human-readable line; by convention it ends with {@code " at <host>"} when
 *     the provider calls an upstream, a suffix {@code ListProviders} cuts unless the gateway is
 *     configured to show upstream hosts (so put the host nowhere else)
 * @param defaultModel the model used when a request names none; never empty
 * @param models the models known to this provider (others may still work)
 * @param capabilities the provider-wide defaults
 * @param demo true for providers that call no real model (test and demo providers)
 */
public record ProviderDescriptor(
    String wireType,
    String description,
    String defaultModel,
    List<ModelInfo> models,
    Capabilities capabilities,
    boolean demo) {

  public ProviderDescriptor {
    requireNonNull(wireType, "wireType");
    requireNonNull(description, "description");
    requireNonNull(defaultModel, "defaultModel");
    if (defaultModel.isEmpty()) {
      throw new IllegalArgumentException("defaultModel must not be empty");
    }
    models = List.copyOf(models);
    requireNonNull(capabilities, "capabilities");
  }

  /** The capabilities of {@code model}: its own entry if known, else the provider defaults. */
  public Capabilities capabilitiesOf(String model) {
    for (ModelInfo info : models) {
      if (info.id().equals(model)) {
        return info.capabilities();
      }
    }
    return capabilities;
  }
}
