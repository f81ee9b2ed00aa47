package dev.providergateway.observability;

import dev.providergateway.provider.Secrets;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Makes text safe to write to the log, for both formats: configured secrets are redacted by value
 * ({@link Secrets}) and control characters are escaped, so a caller's or an upstream's string can
 * neither leak a credential nor forge a log line or move a terminal's cursor. Stack traces are
 * rendered here too, frame per line, with each exception's message made safe the same way.
 */
final class LogText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final int MAX_CAUSES = 16;

  private LogText() {}

  /** {@code text} with secrets redacted and control characters escaped; null is "null". */
  static String safe(String text) {
    return escape(Secrets.redact(String.valueOf(text)));
  }

  /**
   * Escapes C0 controls (newline as {@code \n}, CR as {@code \r}, tab as {@code \t}, the others and
   * DEL as {@code \}{@code u00XX}), C1 controls (NEL included) and the Unicode line and paragraph
   * separators, which some readers also take as the end of a line.
   */
  static String escape(String text) {
    int i = 0;
    while (i < text.length() && !unsafe(text.charAt(i))) {
      i++;
    }
    if (i == text.length()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!unsafe(c)) {
        out.append(c);
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c == '\t') {
        out.append("\\t");
      } else {
        out.append("\\u")
            .append(HEX[(c >> 12) & 0xf])
            .append(HEX[(c >> 8) & 0xf])
            .append(HEX[(c >> 4) & 0xf])
            .append(HEX[c & 0xf]);
      }
    }
    return out.toString();
  }

  static boolean unsafe(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }

  /**
   * The stack trace of {@code thrown} as {@link Throwable#printStackTrace()} lays it out (causes
   * and suppressed exceptions included, one frame per line), each message made {@link #safe}.
   */
  static String trace(Throwable thrown) {
    StringBuilder out = new StringBuilder(1024);
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    append(out, thrown, "", "", seen, 0);
    return out.toString();
  }

  private static void append(
      StringBuilder out,
      Throwable t,
      String caption,
      String indent,
      Map<Throwable, Boolean> seen,
      int depth) {
    if (seen.put(t, Boolean.TRUE) != null) {
      out.append(indent)
          .append(caption)
          .append("[circular reference]")
          .append(System.lineSeparator());
      return;
    }
    String message = t.getLocalizedMessage();
    out.append(indent)
        .append(caption)
        .append(t.getClass().getName())
        .append(message == null ? "" : ": " + safe(message))
        .append(System.lineSeparator());
    for (StackTraceElement frame : t.getStackTrace()) {
      out.append(indent).append("\tat ").append(frame).append(System.lineSeparator());
    }
    if (depth >= MAX_CAUSES) {
      return;
    }
    for (Throwable s : t.getSuppressed()) {
      append(out, s, "Suppressed: ", indent + "\t", seen, depth + 1);
    }
    if (t.getCause() != null) {
      append(out, t.getCause(), "Caused by: ", indent, seen, depth + 1);
    }
  }
}
