package dev.providergateway.state;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Names store failures in a line, without the store's credentials or a stack trace. */
final class Failures {
  private Failures() {}

  static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  /** A short description: the root cause's class and message, at most 200 characters. */
  static String describe(Throwable t) {
    Throwable c = unwrap(t);
    if (c instanceof TimeoutException) {
      return "no answer in time";
    }
    Throwable root = c;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? "" : ": " + root.getMessage();
    String text = root.getClass().getSimpleName() + message;
    // Lettuce's messages name host and port, never the password; bound and strip control chars.
    text = text.replaceAll("\\p{Cntrl}", " ");
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
