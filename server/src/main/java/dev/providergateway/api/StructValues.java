package dev.providergateway.api;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts {@code google.protobuf.Struct} to plain Java values (maps, lists, strings, booleans,
 * null and numbers) that Jackson serializes as the same JSON. Struct holds every number as a
 * double; whole numbers become {@code Long} so that a schema's {@code "minimum": 1} is sent as
 * {@code 1}, not {@code 1.0}.
 */
final class StructValues {
  private static final double MAX_EXACT = 9_007_199_254_740_992d; // 2^53

  private StructValues() {}

  static Map<String, Object> toMap(Struct struct) {
    Map<String, Object> map = new LinkedHashMap<>();
    struct.getFieldsMap().forEach((k, v) -> map.put(k, toJava(v)));
    return map;
  }

  static Object toJava(Value value) {
    return switch (value.getKindCase()) {
      case NULL_VALUE, KIND_NOT_SET -> null;
      case BOOL_VALUE -> value.getBoolValue();
      case STRING_VALUE -> value.getStringValue();
      case NUMBER_VALUE -> number(value.getNumberValue());
      case STRUCT_VALUE -> toMap(value.getStructValue());
      case LIST_VALUE -> toList(value.getListValue());
    };
  }

  private static List<Object> toList(ListValue list) {
    List<Object> out = new ArrayList<>(list.getValuesCount());
    for (Value v : list.getValuesList()) {
      out.add(toJava(v));
    }
    return out;
  }

  private static Object number(double d) {
    if (d == Math.rint(d) && Math.abs(d) <= MAX_EXACT) {
      return (long) d;
    }
    return d;
  }
}
