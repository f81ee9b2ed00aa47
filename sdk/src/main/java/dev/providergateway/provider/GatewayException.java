package dev.providergateway.provider;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The root of every failure the gateway reports to a caller. One function at the gRPC edge turns
 * each subclass into a status with {@code ErrorInfo}; handlers never build a status by hand.
 * Messages are sanitized on construction (see {@link ErrorMessages}) and never hold credentials.
 */
public abstract sealed class GatewayException extends RuntimeException
    permits ProviderException,
        InvalidRequestException,
        ProviderNotFoundException,
        CircuitOpenException,
        GatewayOverloadedException,
        GatewayUnavailableException,
        GatewayAuthException {

  GatewayException(String message, Throwable cause) {
    super(ErrorMessages.sanitize(message), cause);
  }

  /**
   * For messages the gateway writes itself from its own config (key ids, limits), which hold no
   * upstream text: sanitizing them would redact their own hints, such as "authorization: Bearer
   * &lt;key&gt;".
   */
  GatewayException(String message) {
    super(message, null);
  }

  /** The machine-readable reason. */
  public abstract ErrorReason reason();

  /** How long the caller should wait before retrying, when a retry makes sense. */
  public Optional<Duration> retryAfter() {
    return Optional.empty();
  }

  /** Facts for {@code ErrorInfo.metadata}, such as {@code provider} and {@code model}. */
  public Map<String, String> errorMetadata() {
    return Map.of();
  }
}
