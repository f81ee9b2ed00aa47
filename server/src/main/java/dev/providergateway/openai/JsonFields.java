package dev.providergateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.providergateway.provider.InvalidRequestException.FieldViolation;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Typed readers of JSON request fields, shared by the door's request parsers: each returns null
 * when the field is absent or JSON null, and adds a violation naming the field's path when it has
 * the wrong type. Also JSON to protobuf {@code Struct}. Stateless.
 */
final class JsonFields {
  private JsonFields() {}

  static String string(JsonNode node, String field, List<FieldViolation> v) {
    return string(node, field, field, v);
  }

  static String string(JsonNode node, String field, String path, List<FieldViolation> v) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      v.add(new FieldViolation(path, "must be a string, got " + type(value)));
      return null;
    }
    return value.textValue();
  }

  static Double number(JsonNode node, String field, List<FieldViolation> v) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isNumber()) {
      v.add(new FieldViolation(field, "must be a number, got " + type(value)));
      return null;
    }
    return value.doubleValue();
  }

  static Long integer(JsonNode node, String field, List<FieldViolation> v) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      v.add(new FieldViolation(field, "must be an integer, got " + type(value)));
      return null;
    }
    return value.longValue();
  }

  static Boolean bool(JsonNode node, String field, List<FieldViolation> v) {
    return bool(node, field, field, v);
  }

  static Boolean bool(JsonNode node, String field, String path, List<FieldViolation> v) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isBoolean()) {
      v.add(new FieldViolation(path, "must be a boolean, got " + type(value)));
      return null;
    }
    return value.booleanValue();
  }

  /** The JSON type name of {@code node}, for messages. */
  static String type(JsonNode node) {
    return switch (node.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NULL -> "null";
      default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  static String bounded(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }

  static Struct struct(JsonNode object) {
    Struct.Builder s = Struct.newBuilder();
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      s.putFields(e.getKey(), value(e.getValue()));
    }
    return s.build();
  }

  static Value value(JsonNode node) {
    return switch (node.getNodeType()) {
      case OBJECT -> Value.newBuilder().setStructValue(struct(node)).build();
      case ARRAY -> {
        ListValue.Builder list = ListValue.newBuilder();
        node.forEach(n -> list.addValues(value(n)));
        yield Value.newBuilder().setListValue(list).build();
      }
      case STRING -> Value.newBuilder().setStringValue(node.textValue()).build();
      case NUMBER -> Value.newBuilder().setNumberValue(node.doubleValue()).build();
      case BOOLEAN -> Value.newBuilder().setBoolValue(node.booleanValue()).build();
      default -> Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    };
  }
}
