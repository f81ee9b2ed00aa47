package dev.providergateway.provider.gemini;

import dev.providergateway.provider.ProviderException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Corrects the two places where Gemini's errors mean something other than their HTTP status says,
 * on top of the shared {@link dev.providergateway.provider.http.HttpErrors} mapping:
 *
 * <ul>
 *   <li>An invalid or expired API key is an HTTP 400 {@code INVALID_ARGUMENT} ("API key not
 *       valid"), which is an auth failure, not a bad request.
 *   <li>Per-minute limits answer 429 with "You exceeded your current quota ... Please retry in
 *       6.5s", which the shared mapping reads as an exhausted quota (no retry, long cooldown). A
 *       retry hint of at most {@link #RATE_WINDOW} makes it a rate limit with that hint; a longer
 *       one (a daily quota) or a limit of 0 (a model not in the plan) stays a quota error.
 * </ul>
 */
final class GeminiErrors {
  static final Duration RATE_WINDOW = Duration.ofMinutes(2);
  private static final Pattern BAD_KEY =
      Pattern.compile("(?i)API[ _]key (not valid|invalid|expired)|API_KEY_INVALID");
  private static final Pattern RETRY_IN =
      Pattern.compile("(?i)retry in (\\d+(?:\\.\\d+)?)\\s*(ms|s)\\b");
  private static final Pattern LIMIT_ZERO = Pattern.compile("(?i)limit: 0\\b");

  private GeminiErrors() {}

  /** {@code failure} corrected for Gemini, or as it is. */
  static Throwable refine(Throwable failure) {
    Throwable t =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    String message = t.getMessage() == null ? "" : t.getMessage();
    if (t instanceof ProviderException.Rejected e
        && e.origin().httpStatus() == 400
        && BAD_KEY.matcher(message).find()) {
      return new ProviderException.Auth(e.origin(), message);
    }
    if (t instanceof ProviderException.QuotaExceeded e
        && e.origin().httpStatus() == 429
        && !LIMIT_ZERO.matcher(message).find()) {
      Matcher m = RETRY_IN.matcher(message);
      if (m.find()) {
        double amount = Double.parseDouble(m.group(1));
        Duration hint =
            Duration.ofMillis((long) (m.group(2).equalsIgnoreCase("ms") ? amount : amount * 1000));
        if (hint.compareTo(RATE_WINDOW) <= 0) {
          return new ProviderException.RateLimited(e.origin(), message, hint);
        }
      }
    }
    return failure;
  }
}
