package dev.providergateway.provider;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes upstream text safe to put in an error message: HTML pages are summarized by their title,
 * every configured secret is redacted by value ({@link Secrets}), anything else shaped like a
 * credential is redacted by its shape, and the result is capped at {@value #MAX_LENGTH} characters.
 */
public final class ErrorMessages {
  /** The longest message the gateway sends, as in Victor. */
  public static final int MAX_LENGTH = 800;

  private static final Pattern TOKEN =
      Pattern.compile("(?i)(sk-ant-[A-Za-z0-9_-]{6,}|sk-[A-Za-z0-9_-]{6,}|AIza[0-9A-Za-z_-]{10,})");
  // A value after a credential-like name: `api_key=x`, `x-api-key:  x`, `"api_key": "x"`,
  // `Authorization: Bearer x`, `bearer x`.
  private static final Pattern NAMED =
      Pattern.compile(
          "(?i)((?:(?:api[_-]?key|x-api-key|key|authorization|access[_-]?token)[\"']?\\s*[=:]\\s*[\"']?"
              + "(?:bearer\\s+)?)|bearer\\s+)[^\\s\"'&,;]+");
  // A Java class name, qualified (io.netty.channel.AbstractChannel$AnnotatedConnectException) or an
  // exception's simple name, with the ": " that follows it in Throwable.toString().
  private static final Pattern CLASS_NAME =
      Pattern.compile(
          "\\b(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)\\b(?::\\s*)?");
  private static final Pattern HTML = Pattern.compile("(?is)^\\s*(<!doctype html|<html)");
  private static final Pattern TITLE = Pattern.compile("(?is)<title[^>]*>(.*?)</title>");

  private ErrorMessages() {}

  /**
   * {@code text} without Java exception class names, which tell a caller nothing and show the
   * gateway's internals; null stays null.
   */
  public static String withoutClassNames(String text) {
    return text == null ? null : CLASS_NAME.matcher(text).replaceAll("").strip();
  }

  /** Returns {@code text} sanitized; null becomes "". */
  public static String sanitize(String text) {
    if (text == null) {
      return "";
    }
    String result = text;
    if (HTML.matcher(result).find()) {
      Matcher title = TITLE.matcher(result);
      result =
          title.find()
              ? "HTML error page: " + title.group(1).strip().replaceAll("\\s+", " ")
              : "HTML error page";
    }
    result = withoutClassNames(result);
    result = Secrets.redact(result);
    result = TOKEN.matcher(result).replaceAll("[redacted]");
    result = NAMED.matcher(result).replaceAll("$1[redacted]");
    if (result.length() > MAX_LENGTH) {
      result = result.substring(0, MAX_LENGTH - 3) + "...";
    }
    return result;
  }
}
