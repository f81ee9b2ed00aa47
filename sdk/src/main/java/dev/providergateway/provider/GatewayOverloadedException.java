package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A gateway limit is full: a concurrency limit (the call was refused at once rather than queued) or
 * a caller's key rate limit (with the wait until it admits again).
 */
public final class GatewayOverloadedException extends GatewayException {
  private final Map<String, String> metadata;
  private final Duration retryAfter;

  /** {@code what} names the full limit, for example "concurrent turns on this stream (32)". */
  public GatewayOverloadedException(String what) {
    super("gateway overloaded: limit of " + what + " reached; retry later", null);
    this.metadata = Map.of();
    this.retryAfter = null;
  }

  private GatewayOverloadedException(
      String message, Map<String, String> metadata, Duration retryAfter) {
    super(message);
    this.metadata = Map.copyOf(metadata);
    this.retryAfter = retryAfter;
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
        message, metadata, requireNonNull(retryAfter, "retryAfter"));
  }

  @Override
  public ErrorReason reason() {
    return ErrorReason.GATEWAY_OVERLOADED;
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
