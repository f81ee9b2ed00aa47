package dev.providergateway.provider.echo;

import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.ErrorText;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import java.time.Duration;
import java.util.Map;

/**
 * The echo provider's test knobs, read from request {@code extra}:
 *
 * <ul>
 *   <li>{@code echo_delay_ms} (0 to 60000): wait this long before the answer, and before each
 *       streamed event;
 *   <li>{@code echo_error}: fail like an upstream would, with one of {@code PROVIDER_AUTH}, {@code
 *       PROVIDER_RATE_LIMIT}, {@code PROVIDER_QUOTA}, {@code MODEL_NOT_FOUND}, {@code
 *       PROVIDER_TIMEOUT}, {@code PROVIDER_CONNECTION}, {@code PROVIDER_UNAVAILABLE}, {@code
 *       PROVIDER_INVALID_RESPONSE}, {@code PROVIDER_ERROR};
 *   <li>{@code echo_error_after_words} (0 or more): when streaming, fail after this many content
 *       words (so a stream can die mid-way);
 *   <li>{@code echo_retry_after_ms}: the retry hint of a simulated rate limit or 5xx.
 * </ul>
 */
record EchoKnobs(long delayMillis, ProviderException failure, int failAfterEvents) {
  static final String DELAY = "echo_delay_ms";
  static final String ERROR = "echo_error";
  static final String ERROR_AFTER_WORDS = "echo_error_after_words";
  static final String RETRY_AFTER = "echo_retry_after_ms";

  static EchoKnobs from(ChatRequest request, String provider) {
    Map<String, Object> extra = request.extra();
    long delay = number(extra, DELAY, 0, 60_000);
    long retryAfter = number(extra, RETRY_AFTER, 0, 3_600_000);
    long afterWords = number(extra, ERROR_AFTER_WORDS, 0, Integer.MAX_VALUE - 1);
    Object error = extra.get(ERROR);
    ProviderException failure = null;
    if (error != null) {
      Origin origin = new Origin(provider, request.model(), 0);
      Duration hint = retryAfter > 0 ? Duration.ofMillis(retryAfter) : null;
      failure = failure(String.valueOf(error), origin, hint);
    }
    // The first streamed event is the response info, so words start at event 1.
    return new EchoKnobs(delay, failure, (int) afterWords + 1);
  }

  private static ProviderException failure(String reason, Origin origin, Duration retryAfter) {
    String message = "simulated " + reason + " from the echo provider";
    return switch (reason) {
      case "PROVIDER_AUTH" -> new ProviderException.Auth(withStatus(origin, 401), message);
      case "PROVIDER_RATE_LIMIT" ->
          new ProviderException.RateLimited(withStatus(origin, 429), message, retryAfter);
      case "PROVIDER_QUOTA" ->
          new ProviderException.QuotaExceeded(withStatus(origin, 429), message);
      case "MODEL_NOT_FOUND" ->
          new ProviderException.ModelNotFound(withStatus(origin, 404), message);
      case "PROVIDER_TIMEOUT" -> new ProviderException.Timeout(origin, message, null);
      case "PROVIDER_CONNECTION" -> new ProviderException.Connection(origin, message, null);
      case "PROVIDER_UNAVAILABLE" ->
          new ProviderException.Unavailable(withStatus(origin, 503), message, retryAfter);
      case "PROVIDER_INVALID_RESPONSE" ->
          new ProviderException.InvalidResponse(origin, message, null);
      case "PROVIDER_ERROR" -> new ProviderException.Rejected(withStatus(origin, 400), message);
      default ->
          throw InvalidRequestException.of(
              "extra." + ERROR,
              "unknown simulated error "
                  + ErrorText.quote(reason)
                  + "; expected one of PROVIDER_AUTH,"
                  + " PROVIDER_RATE_LIMIT, PROVIDER_QUOTA, MODEL_NOT_FOUND, PROVIDER_TIMEOUT,"
                  + " PROVIDER_CONNECTION, PROVIDER_UNAVAILABLE, PROVIDER_INVALID_RESPONSE,"
                  + " PROVIDER_ERROR");
    };
  }

  private static Origin withStatus(Origin origin, int status) {
    return new Origin(origin.provider(), origin.model(), status);
  }

  private static long number(Map<String, Object> extra, String key, long min, long max) {
    Object value = extra.get(key);
    if (value == null) {
      return 0;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw InvalidRequestException.of(
          "extra." + key, "must be a whole number, was " + ErrorText.quote(value));
    }
    long v = n.longValue();
    if (v < min || v > max) {
      throw InvalidRequestException.of(
          "extra." + key, "must be between " + min + " and " + max + ", was " + v);
    }
    return v;
  }
}
