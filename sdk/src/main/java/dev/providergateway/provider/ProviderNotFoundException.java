package dev.providergateway.provider;

import java.util.List;
import java.util.Map;

/** No provider is registered under the requested name or alias. */
public final class ProviderNotFoundException extends GatewayException {
  private final String requested;

  /** Creates the exception; the message lists {@code available} so the caller can fix the name. */
  public ProviderNotFoundException(String requested, List<String> available) {
    super(
        "provider "
            + ErrorText.quote(requested)
            + " is not registered; available providers: "
            + (available.isEmpty() ? "(none)" : String.join(", ", available)),
        null);
    this.requested = requested;
  }

  /**
   * The exception for a {@code provider/model} name whose prefix {@code requested} names no
   * provider (and which names no route): the message quotes the whole {@code model}, bounded, so
   * the caller sees what it sent, and lists {@code available}.
   */
  public ProviderNotFoundException(String requested, String model, List<String> available) {
    super(
        "model "
            + ErrorText.quote(model)
            + " is not served here: provider "
            + ErrorText.quote(requested)
            + " is not registered and no route has that name; available providers: "
            + (available.isEmpty() ? "(none)" : String.join(", ", available)),
        null);
    this.requested = requested;
  }

  @Override
  public ErrorReason reason() {
    return ErrorReason.PROVIDER_NOT_FOUND;
  }

  @Override
  public Map<String, String> errorMetadata() {
    return Map.of("provider", requested);
  }
}
