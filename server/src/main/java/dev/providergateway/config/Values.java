package dev.providergateway.config;

import com.fasterxml.jackson.databind.JsonNode;

/** Renders values for error messages. */
final class Values {

  // Long values are cut so one bad entry cannot flood a log line.
  private static final int MAX_QUOTED = 120;

  private Values() {}

  /** {@code text} in double quotes, escaped and shortened. */
  static String quote(String text) {
    String shown = text.length() > MAX_QUOTED ? text.substring(0, MAX_QUOTED) + "..." : text;
    StringBuilder out = new StringBuilder(shown.length() + 2).append('"');
    for (char c : shown.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(c);
      }
    }
    return out.append('"').toString();
  }

  /** What {@code node} is, with its value: {@code string "abc"}, {@code number 1.5}, ... */
  static String describe(JsonNode node) {
    if (node.isTextual()) {
      return "string " + quote(node.textValue());
    }
    if (node.isNumber()) {
      return "number " + node.asText();
    }
    if (node.isBoolean()) {
      return "boolean " + node.asText();
    }
    return kind(node);
  }

  /** What {@code node} is, without its value: for secrets. */
  static String kind(JsonNode node) {
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "a number";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isNull() || node.isMissingNode()) {
      return "nothing";
    }
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }
}
