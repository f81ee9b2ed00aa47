package dev.providergateway.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The keyword-level pieces of {@link GeminiSchema}: types, enums, bounds, {@code allOf} merging.
 */
final class GeminiSchemaKeywords {
  static final Map<String, String> TYPES =
      Map.of(
          "string", "STRING", "number", "NUMBER", "integer", "INTEGER", "boolean", "BOOLEAN",
          "array", "ARRAY", "object", "OBJECT");

  private GeminiSchemaKeywords() {}

  static void enumeration(ObjectNode out, List<JsonNode> values, String type) {
    if (values.isEmpty()) {
      return;
    }
    if (values.stream().allMatch(JsonNode::isTextual) && (type == null || type.equals("string"))) {
      ArrayNode list = out.putArray("enum");
      values.forEach(v -> list.add(v.asText()));
      return;
    }
    // Gemini's enum holds strings only; the model still learns the allowed values.
    StringBuilder allowed = new StringBuilder("Allowed values: ");
    for (int i = 0; i < values.size(); i++) {
      allowed.append(i == 0 ? "" : ", ").append(values.get(i).toString());
    }
    String description = out.path("description").asText("");
    out.put(
        "description", description.isEmpty() ? allowed + "." : description + " " + allowed + ".");
  }

  static void exclusiveBound(
      ObjectNode out, JsonNode node, String keyword, String bound, int step, String type) {
    JsonNode value = node.get(keyword);
    if (value == null) {
      return;
    }
    JsonNode limit = value.isNumber() ? value : value.asBoolean(false) ? node.get(bound) : null;
    if (limit == null || !limit.isNumber()) {
      return;
    }
    // Exact for integers; for numbers the inclusive bound admits only the boundary value itself.
    if ("integer".equals(type) && limit.canConvertToLong()) {
      long inclusive = limit.asLong() + step;
      if (inclusive == (int) inclusive) {
        out.put(bound, (int) inclusive);
      } else {
        out.put(bound, inclusive);
      }
    } else if (!out.has(bound) || value.isNumber()) {
      out.set(bound, limit);
    }
  }

  static List<String> types(JsonNode node, String path) {
    JsonNode type = node.get("type");
    List<String> types = new ArrayList<>();
    if (type == null) {
      return types;
    }
    List<JsonNode> names = new ArrayList<>();
    if (type.isArray()) {
      type.forEach(names::add);
    } else {
      names.add(type);
    }
    for (JsonNode name : names) {
      String t = name.asText("");
      if (!t.equals("null") && !TYPES.containsKey(t)) {
        throw reject(
            path + ".type",
            "'"
                + name.asText()
                + "' is not a JSON Schema type; expected string, number, "
                + "integer, boolean, array, object or null");
      }
      if (!types.contains(t)) {
        types.add(t);
      }
    }
    if (types.equals(List.of("null"))) {
      throw reject(
          path + ".type",
          "a schema that only allows null cannot be expressed in Gemini's schema subset");
    }
    return types;
  }

  static String inferType(JsonNode node, List<JsonNode> values) {
    if (node.has("properties")) {
      return "object";
    }
    if (node.has("items")) {
      return "array";
    }
    return !values.isEmpty() && values.stream().allMatch(JsonNode::isTextual) ? "string" : null;
  }

  static boolean isNullOnly(JsonNode branch) {
    JsonNode type = branch.path("type");
    boolean nullType =
        type.asText("").equals("null")
            || (type.isArray() && type.size() == 1 && type.get(0).asText("").equals("null"));
    return nullType && !branch.has("properties") && !branch.has("items") && !branch.has("$ref");
  }

  static boolean matches(JsonNode value, String type) {
    return switch (type) {
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      case "array" -> value.isArray();
      default -> value.isObject();
    };
  }

  static void merge(ObjectNode target, ObjectNode source, String path) {
    source
        .fields()
        .forEachRemaining(
            e -> {
              String key = e.getKey();
              JsonNode value = e.getValue();
              JsonNode existing = target.get(key);
              if (existing == null || existing.equals(value) || key.equals("description")) {
                target.set(key, value);
              } else if (key.equals("properties")) {
                value
                    .fields()
                    .forEachRemaining(
                        p -> {
                          JsonNode known = existing.get(p.getKey());
                          if (known != null && !known.equals(p.getValue())) {
                            throw reject(
                                path,
                                "allOf parts define property '"
                                    + p.getKey()
                                    + "' differently; Gemini cannot intersect them");
                          }
                          ((ObjectNode) existing).set(p.getKey(), p.getValue());
                        });
              } else if (key.equals("required")) {
                value.forEach(
                    n -> {
                      boolean known = false;
                      for (JsonNode name : existing) {
                        known |= name.equals(n);
                      }
                      if (!known) {
                        ((ArrayNode) existing).add(n);
                      }
                    });
              } else if (key.equals("nullable")) {
                target.put("nullable", existing.asBoolean() && value.asBoolean());
              } else {
                throw reject(
                    path,
                    "allOf parts disagree on '"
                        + key
                        + "' ("
                        + existing
                        + " and "
                        + value
                        + "); Gemini cannot intersect them");
              }
            });
  }

  static String hint(String keyword) {
    return switch (keyword) {
      case "patternProperties" -> "; declare the properties by name instead";
      case "prefixItems" -> "; use one 'items' schema for every item";
      case "not", "if", "then", "else" ->
          "; negated and conditional schemas have no Gemini equivalent";
      default -> "";
    };
  }

  static InvalidRequestException reject(String path, String message) {
    return InvalidRequestException.of(path, message);
  }
}
