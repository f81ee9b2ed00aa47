package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Facts about the call a provider serves. Immutable and thread-safe.
 *
 * @param requestId the gateway's id for the call, for upstream request headers and logs
 * @param deadline when the caller stops waiting, or null when it set no deadline; a provider should
 *     not let an upstream request outlive it
 * @param traceparent the W3C {@code traceparent} of the gateway's span for this call, sent on
 *     upstream requests so a provider-side trace joins the caller's; null when tracing is off
 */
public record CallContext(String requestId, Instant deadline, String traceparent) {
  public CallContext {
    requireNonNull(requestId, "requestId");
  }

  /** A context without trace propagation. */
  public CallContext(String requestId, Instant deadline) {
    this(requestId, deadline, null);
  }

  /** The time left before the deadline (zero once it passed); empty when there is none. */
  public Optional<Duration> timeLeft(Clock clock) {
    if (deadline == null) {
      return Optional.empty();
    }
    Duration left = Duration.between(clock.instant(), deadline);
    return Optional.of(left.isNegative() ? Duration.ZERO : left);
  }
}
