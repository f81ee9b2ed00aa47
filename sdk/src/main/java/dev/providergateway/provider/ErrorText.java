package dev.providergateway.provider;

/**
 * Bounds caller-supplied text before it goes into an error: control characters are escaped (so a
 * message stays one readable line) and long text is cut, ending in {@value #ELLIPSIS}. An error
 * that quoted a bad value whole could outgrow a client's 8 KiB limit on trailers, and the caller
 * would see only {@code RESOURCE_EXHAUSTED} instead of what was wrong. Stateless and thread-safe.
 */
public final class ErrorText {
  /** How much of a bad value an error quotes. */
  public static final int MAX_QUOTED = 100;

  /** What ends a text that was cut. */
  public static final String ELLIPSIS = "…";

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private ErrorText() {}

  /**
   * {@code value} as an error quotes it: in single quotes, at most {@value #MAX_QUOTED} characters,
   * control characters escaped.
   */
  public static String quote(Object value) {
    return "'" + clip(String.valueOf(value), MAX_QUOTED) + "'";
  }

  /**
   * {@code text} with control characters escaped ({@code \n}, {@code \t}, {@code \r}, else {@code
   * \}{@code uXXXX}) and, if that is longer than {@code max} characters, its first {@code max}
   * followed by {@value #ELLIPSIS}; a surrogate pair is never split.
   */
  public static String clip(String text, int max) {
    if (text.length() <= max && !hasControl(text)) {
      return text;
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 8);
    for (int i = 0; i < text.length(); i++) {
      if (out.length() >= max) {
        return cut(out, max).append(ELLIPSIS).toString();
      }
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (isControl(c)) {
            out.append("\\u")
                .append(HEX[(c >> 12) & 0xf])
                .append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.length() > max ? cut(out, max).append(ELLIPSIS).toString() : out.toString();
  }

  private static StringBuilder cut(StringBuilder out, int max) {
    int end = Math.min(max, out.length());
    if (end > 0 && end < out.length() && Character.isHighSurrogate(out.charAt(end - 1))) {
      end--;
    }
    out.setLength(end);
    return out;
  }

  private static boolean hasControl(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (isControl(text.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /** C0, DEL, C1, and the line and paragraph separators, which also break a line. */
  private static boolean isControl(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }
}
