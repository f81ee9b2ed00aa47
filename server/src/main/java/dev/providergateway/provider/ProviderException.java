package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An upstream provider failed. Providers throw (or complete futures and streams with) exactly
 * these classes, one per failure kind, mirroring Victor's provider errors; {@link #retryable()}
 * says whether repeating the same request may succeed. Only these count as failures for a
 * provider's circuit breaker, and of them not {@link Auth}.
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

  private ProviderException(Origin origin, String message, Throwable cause) {
    super(message, cause);
    this.origin = requireNonNull(origin, "origin");
  }

  /** Where the failure came from. */
  public Origin origin() {
    return origin;
  }

  /** True when repeating the same request may succeed. */
  public abstract boolean retryable();

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
      super(origin, message, null);
    }

    @Override
    public ErrorReason reason() {
      return ErrorReason.PROVIDER_AUTH;
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /** The upstream rate-limited the call (HTTP 429). Retryable after {@link #retryAfter()}. */
  public static final class RateLimited extends ProviderException {
    private final Duration retryAfter;

    /** {@code retryAfter} is the upstream's hint, or null when it gave none. */
    public RateLimited(Origin origin, String message, Duration retryAfter) {
      super(origin, message, null);
      this.retryAfter = retryAfter;
    }

    @Override
    public ErrorReason reason() {
      return ErrorReason.PROVIDER_RATE_LIMIT;
    }

    @Override
    public boolean retryable() {
      return true;
    }

    @Override
    public Optional<Duration> retryAfter() {
      return Optional.ofNullable(retryAfter);
    }
  }

  /** The account's quota or billing limit is exhausted (a 429 that waiting will not fix). */
  public static final class QuotaExceeded extends ProviderException {
    public QuotaExceeded(Origin origin, String message) {
      super(origin, message, null);
    }

    @Override
    public ErrorReason reason() {
      return ErrorReason.PROVIDER_QUOTA;
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /** The upstream says the model does not exist (a 404 naming the model). */
  public static final class ModelNotFound extends ProviderException {
    public ModelNotFound(Origin origin, String message) {
      super(origin, message, null);
    }

    @Override
    public ErrorReason reason() {
      return ErrorReason.MODEL_NOT_FOUND;
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /** The upstream did not answer in time. */
  public static final class Timeout extends ProviderException {
    public Timeout(Origin origin, String message, Throwable cause) {
      super(origin, message, cause);
    }

    @Override
    public ErrorReason reason() {
      return ErrorReason.PROVIDER_TIMEOUT;
    }

    @Override
    public boolean retryable() {
      return true;
    }
  }

  /** Connecting to the upstream failed, or the connection broke (reset, TLS, protocol). */
  public static final class Connection extends ProviderException {
    public Connection(Origin origin, String message, Throwable cause) {
      super(origin, message, cause);
    }

    @Override
    public ErrorReason reason() {
      return ErrorReason.PROVIDER_CONNECTION;
    }

    @Override
    public boolean retryable() {
      return true;
    }
  }

  /** The upstream answered with a server error (HTTP 5xx). */
  public static final class Unavailable extends ProviderException {
    private final Duration retryAfter;

    /** {@code retryAfter} is the upstream's hint, or null when it gave none. */
    public Unavailable(Origin origin, String message, Duration retryAfter) {
      super(origin, message, null);
      this.retryAfter = retryAfter;
    }

    @Override
    public ErrorReason reason() {
      return ErrorReason.PROVIDER_UNAVAILABLE;
    }

    @Override
    public boolean retryable() {
      return true;
    }

    @Override
    public Optional<Duration> retryAfter() {
      return Optional.ofNullable(retryAfter);
    }
  }

  /**
   * The upstream's response could not be understood (malformed JSON or SSE, missing fields).
   * Deliberately not retryable: replaying a request whose answer is malformed multiplies load
   * without fixing anything.
   */
  public static final class InvalidResponse extends ProviderException {
    public InvalidResponse(Origin origin, String message, Throwable cause) {
      super(origin, message, cause);
    }

    @Override
    public ErrorReason reason() {
      return ErrorReason.PROVIDER_INVALID_RESPONSE;
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /** Any other upstream rejection (other HTTP 4xx), carrying the upstream's own message. */
  public static final class Rejected extends ProviderException {
    public Rejected(Origin origin, String message) {
      super(origin, message, null);
    }

    @Override
    public ErrorReason reason() {
      return ErrorReason.PROVIDER_ERROR;
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }
}
