package dev.providergateway.provider.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The shared Jackson mapper for upstream wire JSON (thread-safe), and small helpers. */
public final class Json {
  /** Strict about trailing garbage, lenient about unknown fields (upstreams add fields). */
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Json() {}

  /** A new empty object node. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** The parsed tree, or null when {@code text} is not JSON (empty text included). */
  public static JsonNode tryParse(String text) {
    try {
      JsonNode node = MAPPER.readTree(text);
      return node == null || node.isMissingNode() ? null : node;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** The parsed tree of UTF-8 {@code bytes}, or null when they are not JSON. */
  public static JsonNode tryParse(byte[] bytes) {
    try {
      JsonNode node = MAPPER.readTree(bytes);
      return node == null || node.isMissingNode() ? null : node;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /**
   * The parsed tree of {@code length} UTF-8 bytes of {@code bytes} from {@code offset}, or null.
   */
  public static JsonNode tryParse(byte[] bytes, int offset, int length) {
    try {
      JsonNode node = MAPPER.readTree(bytes, offset, length);
      return node == null || node.isMissingNode() ? null : node;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /** {@code value} as UTF-8 JSON bytes. */
  public static byte[] writeBytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not serializable as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** {@code value} as JSON text. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not serializable as JSON: " + e.getOriginalMessage(), e);
    }
  }
}
