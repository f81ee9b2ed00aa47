package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway cannot decide on a call because a store it needs is unreachable and it is configured
 * to refuse rather than guess: the shared state store (Redis) under {@code state.fail_closed}. The
 * client should retry later, possibly on another replica.
 */
public final class GatewayUnavailableException extends GatewayException {
  private final Map<String, String> metadata;
  private final Duration retryAfter;

  /**
   * @param message the whole message, written by the gateway (it names the store, never its
   *     credentials)
   * @param metadata facts for {@code ErrorInfo}, such as {@code store}
   * @param retryAfter when a retry may succeed
   */
  public GatewayUnavailableException(
      String message, Map<String, String> metadata, Duration retryAfter) {
    super(message);
    this.metadata = Map.copyOf(metadata);
    this.retryAfter = requireNonNull(retryAfter, "retryAfter");
  }

  @Override
  public ErrorReason reason() {
    return ErrorReason.GATEWAY_UNAVAILABLE;
  }

  @Override
  public Optional<Duration> retryAfter() {
    return Optional.of(retryAfter);
  }

  @Override
  public Map<String, String> errorMetadata() {
    return metadata;
  }
}
