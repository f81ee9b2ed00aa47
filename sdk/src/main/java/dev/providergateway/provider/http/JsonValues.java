package dev.providergateway.provider.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.NumberInput;
import java.io.IOException;

/**
 * Reads single values off a Jackson streaming {@link JsonParser} positioned on a value token, the
 * way the {@code JsonNode} tree's {@code asText}/{@code asInt} read them, so that a codec parsing
 * straight into its records (no tree on the hot path) keeps the lenient meaning the tree gave:
 * {@code null} and a missing field read alike, a number or boolean reads as its text, a nested
 * object or array is skipped whole. Stateless.
 */
public final class JsonValues {
  private JsonValues() {}

  /**
   * The current value as text: a string as is, a number or boolean as written; {@code otherwise}
   * for {@code null}, and {@code otherwise} (with the value skipped) for an object or array.
   */
  public static String text(JsonParser p, String otherwise) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_STRING
        || t != null && t.isScalarValue() && t != JsonToken.VALUE_NULL) {
      return p.getText();
    }
    p.skipChildren();
    return otherwise;
  }

  /** The current value if it is a string, else {@code null} (an object or array is skipped). */
  public static String textOnly(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    p.skipChildren();
    return null;
  }

  /**
   * The current value as an int: a number (truncated if fractional; clamped to the int range if it
   * is a larger integer, where the tree wrapped around), a string holding an int, true as 1; {@code
   * 0} for anything else (an object or array is skipped).
   */
  public static int asInt(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      return 0;
    }
    switch (t) {
      case VALUE_NUMBER_INT:
        if (p.getNumberType() == JsonParser.NumberType.INT) {
          return p.getIntValue();
        }
        return clamp(p.getNumberType() == JsonParser.NumberType.LONG ? p.getLongValue() : sign(p));
      case VALUE_NUMBER_FLOAT:
        double d = p.getDoubleValue();
        return d >= Integer.MAX_VALUE
            ? Integer.MAX_VALUE
            : d <= Integer.MIN_VALUE ? Integer.MIN_VALUE : (int) d;
      case VALUE_STRING:
        return NumberInput.parseAsInt(p.getText().trim(), 0);
      case VALUE_TRUE:
        return 1;
      default:
        p.skipChildren();
        return 0;
    }
  }

  /** Whether the current value is a number (the tree's {@code isNumber}). */
  public static boolean isNumber(JsonParser p) {
    return p.currentToken() != null && p.currentToken().isNumeric();
  }

  private static long sign(JsonParser p) throws IOException {
    return p.getBigIntegerValue().signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
  }

  private static int clamp(long v) {
    return v > Integer.MAX_VALUE
        ? Integer.MAX_VALUE
        : v < Integer.MIN_VALUE ? Integer.MIN_VALUE : (int) v;
  }
}
