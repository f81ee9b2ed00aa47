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

  @Override
  public ErrorReason reason() {
    return ErrorReason.PROVIDER_NOT_FOUND;
  }

  @Override
  public Map<String, String> errorMetadata() {
    return Map.of("provider", requested);
  }
}
