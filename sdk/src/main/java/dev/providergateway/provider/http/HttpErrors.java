package dev.providergateway.provider.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ErrorMessages;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * The one mapping from upstream HTTP failures to {@link ProviderException}s, shared by every
 * provider: status codes, the provider's own error message from the body (OpenAI, Anthropic, Gemini
 * and Ollama shapes), {@code Retry-After} / {@code retry-after-ms}, quota and billing 429s,
 * model-not-found 404s, and transport failures (timeouts, refused or reset connections, TLS).
 *
 * <p>Stateless and thread-safe. Providers built on {@link UpstreamHttp} get this mapping for free;
 * a provider with its own transport calls it directly so its failures count for the circuit breaker
 * and retries exactly like everyone else's.
 */
public final class HttpErrors {
  private static final Pattern QUOTA =
      Pattern.compile(
          "(?i)insufficient_quota|billing|quota exceeded|exceeded your current quota|credit balance"
              + "|payment required|out of credits|spending limit");
  private static final Pattern MODEL_MISSING =
      Pattern.compile(
          "(?is)model.*(not[ _]found|does not exist|no such|unknown)|(not[ _]found|unknown|no such).*model");
  private static final Pattern CREDIT =
      Pattern.compile("(?i)credit balance|insufficient[ _](quota|credit|funds)");

  private static final HttpHeaders NO_HEADERS =
      HttpHeaders.of(java.util.Map.of(), (name, value) -> true);

  private HttpErrors() {}

  /** The exception for an error response with {@code status}, {@code headers} and {@code body}. */
  public static ProviderException fromResponse(
      Origin origin, int status, HttpHeaders headers, String body) {
    return classify(origin, status, headers, body, status);
  }

  /**
   * Classifies as if the response had {@code status}, and reports {@code reportedStatus} as the
   * upstream HTTP status (0 for errors that arrived inside a 200 stream).
   */
  private static ProviderException classify(
      Origin origin, int status, HttpHeaders headers, String body, int reportedStatus) {
    Origin at = new Origin(origin.provider(), origin.model(), reportedStatus);
    String detail = message(body);
    String message =
        origin.provider()
            + (reportedStatus > 0 ? " returned HTTP " + status : " reported an error mid-stream")
            + (detail.isEmpty() ? "" : ": " + detail);
    if (status == 401 || status == 403) {
      return new ProviderException.Auth(at, message);
    }
    if (status == 429 || status == 402) {
      return QUOTA.matcher(body).find() || status == 402
          ? new ProviderException.QuotaExceeded(at, message)
          : new ProviderException.RateLimited(at, message, retryAfter(headers).orElse(null));
    }
    if (status == 400 && CREDIT.matcher(body).find()) {
      // Anthropic reports an empty credit balance as a 400; waiting does not fix it either.
      return new ProviderException.QuotaExceeded(at, message);
    }
    if (status == 404 && MODEL_MISSING.matcher(body).find()) {
      return new ProviderException.ModelNotFound(at, message);
    }
    if (status == 408) {
      return new ProviderException.Timeout(at, message, null);
    }
    if (status >= 400 && status < 500) {
      return new ProviderException.Rejected(at, message);
    }
    if (status >= 500 && status < 600) {
      return new ProviderException.Unavailable(at, message, retryAfter(headers).orElse(null));
    }
    return new ProviderException.InvalidResponse(at, message + " (unexpected status)", null);
  }

  /**
   * The exception for an error reported inside a stream (an SSE {@code error} event or an error
   * object in a chunk), classified by the upstream's error {@code type} or code as if it had been
   * the response status: rate limits, overload and server errors stay retryable.
   */
  public static ProviderException fromStreamError(Origin origin, String type, String body) {
    String t = type.toLowerCase(Locale.ROOT);
    int status;
    if (t.matches("\\d{3}")) {
      status = Integer.parseInt(t);
    } else if (t.contains("rate_limit")
        || t.contains("resource_exhausted")
        || t.contains("quota")) {
      status = 429;
    } else if (t.contains("authentication")
        || t.contains("permission")
        || t.contains("unauthenticated")) {
      status = 401;
    } else if (t.contains("not_found")) {
      status = 404;
    } else if (t.contains("invalid_request") || t.contains("invalid_argument")) {
      status = 400;
    } else if (t.contains("overloaded") || t.contains("unavailable")) {
      status = 503;
    } else {
      status = 500;
    }
    return classify(origin, status, NO_HEADERS, body, 0);
  }

  /**
   * The exception for a failure to get a response: timeouts before the response, refused, reset or
   * closed connections, TLS failures. A {@link ProviderException} is returned as it is.
   */
  public static RuntimeException fromThrowable(Origin origin, Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof ProviderException e) {
      return e;
    }
    if (t instanceof HttpTimeoutException) {
      return new ProviderException.Timeout(
          origin, origin.provider() + " did not answer in time: " + words(t), t);
    }
    if (t instanceof ConnectException || t instanceof SSLException || t instanceof IOException) {
      String what =
          t instanceof ConnectException
              ? "cannot connect to "
              : t instanceof SSLException ? "TLS failure with " : "connection to ";
      String tail = t instanceof ConnectException || t instanceof SSLException ? "" : " failed";
      return new ProviderException.Connection(
          origin, what + origin.provider() + tail + ": " + words(t), t);
    }
    if (t instanceof RuntimeException e) {
      return e;
    }
    return new ProviderException.Connection(
        origin, "request to " + origin.provider() + " failed: " + words(t), t);
  }

  /**
   * What went wrong, in words for a caller: the failure's own message without Java class names
   * (Netty's messages often start with one), or a phrase for its kind when it has no message (a
   * stackless closed-channel exception, say). Never {@code Throwable.toString()}.
   */
  public static String words(Throwable t) {
    String message = t.getMessage();
    if (message != null) {
      message = ErrorMessages.withoutClassNames(message);
    }
    if (message != null && !message.isBlank()) {
      return message;
    }
    if (t instanceof java.nio.channels.ClosedChannelException) {
      return "the connection was closed";
    }
    if (t instanceof java.net.UnknownHostException) {
      return "unknown host";
    }
    if (t instanceof ConnectException) {
      return "connection refused";
    }
    if (t instanceof SSLException) {
      return "TLS handshake failed";
    }
    if (t instanceof HttpTimeoutException || t instanceof java.util.concurrent.TimeoutException) {
      return "timed out";
    }
    return t instanceof IOException ? "I/O error" : "unexpected failure";
  }

  /**
   * The upstream's retry hint: {@code retry-after-ms}, else {@code Retry-After} seconds or date.
   */
  public static Optional<Duration> retryAfter(HttpHeaders headers) {
    Optional<String> ms = headers.firstValue("retry-after-ms");
    if (ms.isPresent()) {
      try {
        return Optional.of(
            Duration.ofMillis((long) Math.max(0, Double.parseDouble(ms.get().trim()))));
      } catch (NumberFormatException e) {
        // Fall through to Retry-After.
      }
    }
    Optional<String> after = headers.firstValue("retry-after");
    if (after.isEmpty()) {
      return Optional.empty();
    }
    String value = after.get().trim();
    try {
      return Optional.of(Duration.ofMillis((long) (Math.max(0, Double.parseDouble(value)) * 1000)));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (DateTimeParseException e2) {
        return Optional.empty();
      }
    }
  }

  /** The provider's own message from an error body, sanitized; the raw text if it is not JSON. */
  static String message(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    JsonNode root = Json.tryParse(body);
    if (root == null) {
      return ErrorMessages.sanitize(body.strip());
    }
    for (JsonNode candidate :
        new JsonNode[] {
          root.path("error").path("message"),
          root.path("error"),
          root.path("message"),
          root.path("detail")
        }) {
      if (candidate.isTextual() && !candidate.asText().isBlank()) {
        String type =
            root.path("error").path("type").asText(root.path("error").path("status").asText(""));
        String prefix =
            type.isEmpty()
                    || candidate
                        .asText()
                        .toLowerCase(Locale.ROOT)
                        .contains(type.toLowerCase(Locale.ROOT))
                ? ""
                : type + ": ";
        return ErrorMessages.sanitize(prefix + candidate.asText());
      }
    }
    return ErrorMessages.sanitize(body.strip());
  }

  private static Throwable unwrap(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
