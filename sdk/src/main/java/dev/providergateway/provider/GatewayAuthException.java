package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * The gateway refused the caller's own credentials (its gateway API key, not a provider's): the key
 * is missing or unknown ({@link Unauthenticated}), or it may not reach the requested provider or
 * model ({@link PermissionDenied}). Never retryable, and never counted against a provider.
 *
 * <p>It lives in the SDK next to {@link GatewayOverloadedException}, another gateway-level failure,
 * rather than in the server: {@link GatewayException} is sealed, and a sealed class may only permit
 * subclasses of its own module (on the class path, of its own package). One hierarchy is what lets
 * the one error mapper at the gRPC edge turn every refusal into a status. Providers never throw it.
 * Messages name the key's id, never the key. Immutable.
 */
public abstract sealed class GatewayAuthException extends GatewayException {
  private final Map<String, String> metadata;

  private GatewayAuthException(String message, Map<String, String> metadata) {
    super(message);
    this.metadata = Map.copyOf(requireNonNull(metadata, "metadata"));
  }

  @Override
  public Map<String, String> errorMetadata() {
    return metadata;
  }

  /** No API key, a malformed one, or one the gateway does not know (UNAUTHENTICATED). */
  public static final class Unauthenticated extends GatewayAuthException {
    /** {@code message} says what was wrong and how to send a key. */
    public Unauthenticated(String message) {
      super(message, Map.of());
    }

    @Override
    public ErrorReason reason() {
      return ErrorReason.GATEWAY_UNAUTHENTICATED;
    }
  }

  /** A known key that is not allowed this provider or model (PERMISSION_DENIED). */
  public static final class PermissionDenied extends GatewayAuthException {
    /** {@code metadata} names the key id and the refused provider (and model). */
    public PermissionDenied(String message, Map<String, String> metadata) {
      super(message, metadata);
    }

    @Override
    public ErrorReason reason() {
      return ErrorReason.GATEWAY_PERMISSION_DENIED;
    }
  }
}
