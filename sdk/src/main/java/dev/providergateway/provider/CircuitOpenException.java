package dev.providergateway.provider;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The provider's circuit breaker is open (or its half-open trial calls are all taken): the call
 * failed fast without reaching the upstream.
 */
public final class CircuitOpenException extends GatewayException {
  private final String provider;
  private final String model;
  private final Duration retryAfter;

  /** {@code retryAfter} is the time left until the breaker admits trial calls. */
  public CircuitOpenException(String provider, String model, Duration retryAfter) {
    super(
        "circuit breaker for provider '"
            + provider
            + "' is open after repeated upstream"
            + " failures; retry in "
            + Math.max(1, retryAfter.toSeconds())
            + "s",
        null);
    this.provider = provider;
    this.model = model;
    this.retryAfter = retryAfter;
  }

  @Override
  public ErrorReason reason() {
    return ErrorReason.CIRCUIT_OPEN;
  }

  @Override
  public Optional<Duration> retryAfter() {
    return Optional.of(retryAfter);
  }

  @Override
  public Map<String, String> errorMetadata() {
    return Map.of("provider", provider, "model", model);
  }
}
