package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A gateway limit is full: a concurrency limit (the call was refused at once rather than queued), a
 * caller's key rate limit (with the wait until it admits again), or a key's spending budget (reason
 * BUDGET_EXCEEDED, with the wait until the period resets).
 */
public final class GatewayOverloadedException extends GatewayException {
  private final Map<String, String> metadata;
  private final Duration retryAfter;
  private final ErrorReason reason;

  /** {@code what} names the full limit, for example "concurrent turns on this stream (32)". */
  public GatewayOverloadedException(String what) {
    super("gateway overloaded: limit of " + what + " reached; retry later", null);
    this.metadata = Map.of();
    this.retryAfter = null;
    this.reason = ErrorReason.GATEWAY_OVERLOADED;
  }

  private GatewayOverloadedException(
      String message, Map<String, String> metadata, Duration retryAfter, ErrorReason reason) {
    super(message);
    this.metadata = Map.copyOf(metadata);
    this.retryAfter = retryAfter;
    this.reason = reason;
  }

  /**
   * A caller over its rate limit. The contract has no reason of its own for it; GATEWAY_OVERLOADED
   * is the one clients already treat as "retry later" (ProviderRateLimitError).
   *
   * @param message the whole message, naming the key's id (never the key) and the limit
   * @param metadata facts for {@code ErrorInfo}, such as {@code key_id} and {@code limit}
   * @param retryAfter when the limit admits the next request
   */
  public static GatewayOverloadedException rateLimited(
      String message, Map<String, String> metadata, Duration retryAfter) {
    return new GatewayOverloadedException(
        message,
        metadata,
        requireNonNull(retryAfter, "retryAfter"),
        ErrorReason.GATEWAY_OVERLOADED);
  }

  /**
   * A caller whose key spent its budget for the period (reason BUDGET_EXCEEDED).
   *
   * @param message the whole message, naming the key's id (never the key), the limit and the reset
   * @param metadata facts for {@code ErrorInfo}: {@code key_id}, {@code spent}, {@code limit},
   *     {@code resets_at}
   * @param retryAfter the time left until the period resets
   */
  public static GatewayOverloadedException budgetExceeded(
      String message, Map<String, String> metadata, Duration retryAfter) {
    return new GatewayOverloadedException(
        message, metadata, requireNonNull(retryAfter, "retryAfter"), ErrorReason.BUDGET_EXCEEDED);
  }

  @Override
  public ErrorReason reason() {
    return reason;
  }

  @Override
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  @Override
  public Map<String, String> errorMetadata() {
    return metadata;
  }
}
