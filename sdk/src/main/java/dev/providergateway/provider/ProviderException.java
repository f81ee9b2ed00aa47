package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An upstream provider failed. Providers throw (or complete futures and streams with) exactly these
 * classes, one per failure kind, mirroring Victor's provider errors; {@link #retryable()} says
 * whether repeating the same request may succeed. Only these count as failures for a provider's
 * circuit breaker, and of them not {@link Auth}.
 */
public abstract sealed class ProviderException extends GatewayException {

  /**
   * Where a failure came from.
   *
   * @param provider the registry name of the provider
   * @param model the model of the failed request ("" when unknown)
   * @param httpStatus the upstream HTTP status, or 0 when there was no response
   */
  public record Origin(String provider, String model, int httpStatus) {
    public Origin {
      requireNonNull(provider, "provider");
      requireNonNull(model, "model");
    }
  }

  private final Origin origin;
  private final ErrorReason reason;
  private final boolean retryable;
  private final Duration retryAfter;

  private ProviderException(
      Origin origin,
      String message,
      Throwable cause,
      ErrorReason reason,
      boolean retryable,
      Duration retryAfter) {
    super(message, cause);
    this.origin = requireNonNull(origin, "origin");
    this.reason = reason;
    this.retryable = retryable;
    this.retryAfter = retryAfter;
  }

  /** Where the failure came from. */
  public Origin origin() {
    return origin;
  }

  /** True when repeating the same request may succeed. */
  public final boolean retryable() {
    return retryable;
  }

  @Override
  public final ErrorReason reason() {
    return reason;
  }

  /** The upstream's retry hint, when it gave one. */
  @Override
  public final Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  @Override
  public Map<String, String> errorMetadata() {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("provider", origin.provider());
    metadata.put("model", origin.model());
    if (origin.httpStatus() > 0) {
      metadata.put("http_status", Integer.toString(origin.httpStatus()));
    }
    return metadata;
  }

  /** The upstream rejected the gateway's credentials (HTTP 401/403). Not retryable. */
  public static final class Auth extends ProviderException {
    public Auth(Origin origin, String message) {
      super(origin, message, null, ErrorReason.PROVIDER_AUTH, false, null);
    }
  }

  /**
   * The upstream rate-limited the call (HTTP 429). Retryable; {@code retryAfter} is the upstream's
   * hint, or null when it gave none.
   */
  public static final class RateLimited extends ProviderException {
    public RateLimited(Origin origin, String message, Duration retryAfter) {
      super(origin, message, null, ErrorReason.PROVIDER_RATE_LIMIT, true, retryAfter);
    }
  }

  /** The account's quota or billing limit is exhausted (a 429 that waiting will not fix). */
  public static final class QuotaExceeded extends ProviderException {
    public QuotaExceeded(Origin origin, String message) {
      super(origin, message, null, ErrorReason.PROVIDER_QUOTA, false, null);
    }
  }

  /** The upstream says the model does not exist (a 404 naming the model). */
  public static final class ModelNotFound extends ProviderException {
    public ModelNotFound(Origin origin, String message) {
      super(origin, message, null, ErrorReason.MODEL_NOT_FOUND, false, null);
    }
  }

  /** The upstream did not answer in time. */
  public static final class Timeout extends ProviderException {
    private final Duration timeout;

    public Timeout(Origin origin, String message, Throwable cause) {
      this(origin, message, cause, null);
    }

    /**
     * A timeout naming the limit that fired ({@code timeout}, null when unknown), which the gateway
     * reports in the error's {@code timeout_ms} metadata.
     */
    public Timeout(Origin origin, String message, Throwable cause, Duration timeout) {
      super(origin, message, cause, ErrorReason.PROVIDER_TIMEOUT, true, null);
      this.timeout = timeout;
    }

    /** The limit that fired, when known. */
    public Optional<Duration> timeout() {
      return Optional.ofNullable(timeout);
    }

    /** The base metadata plus {@code timeout_ms}, the limit that fired, when known. */
    @Override
    public Map<String, String> errorMetadata() {
      Map<String, String> metadata = super.errorMetadata();
      if (timeout != null) {
        metadata.put("timeout_ms", Long.toString(timeout.toMillis()));
      }
      return metadata;
    }
  }

  /** Connecting to the upstream failed, or the connection broke (reset, TLS, protocol). */
  public static final class Connection extends ProviderException {
    public Connection(Origin origin, String message, Throwable cause) {
      super(origin, message, cause, ErrorReason.PROVIDER_CONNECTION, true, null);
    }
  }

  /**
   * The upstream answered with a server error (HTTP 5xx). {@code retryAfter} is the upstream's
   * hint, or null when it gave none.
   */
  public static final class Unavailable extends ProviderException {
    public Unavailable(Origin origin, String message, Duration retryAfter) {
      super(origin, message, null, ErrorReason.PROVIDER_UNAVAILABLE, true, retryAfter);
    }
  }

  /**
   * The upstream's response could not be understood (malformed JSON or SSE, missing fields).
   * Deliberately not retryable: replaying a request whose answer is malformed multiplies load
   * without fixing anything.
   */
  public static final class InvalidResponse extends ProviderException {
    public InvalidResponse(Origin origin, String message, Throwable cause) {
      super(origin, message, cause, ErrorReason.PROVIDER_INVALID_RESPONSE, false, null);
    }
  }

  /** Any other upstream rejection (other HTTP 4xx), carrying the upstream's own message. */
  public static final class Rejected extends ProviderException {
    public Rejected(Origin origin, String message) {
      super(origin, message, null, ErrorReason.PROVIDER_ERROR, false, null);
    }
  }
}
