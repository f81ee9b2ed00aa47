package dev.providergateway.provider.gemini;

import static dev.providergateway.provider.gemini.GeminiSchemaKeywords.TYPES;
import static dev.providergateway.provider.gemini.GeminiSchemaKeywords.enumeration;
import static dev.providergateway.provider.gemini.GeminiSchemaKeywords.exclusiveBound;
import static dev.providergateway.provider.gemini.GeminiSchemaKeywords.hint;
import static dev.providergateway.provider.gemini.GeminiSchemaKeywords.inferType;
import static dev.providergateway.provider.gemini.GeminiSchemaKeywords.isNullOnly;
import static dev.providergateway.provider.gemini.GeminiSchemaKeywords.matches;
import static dev.providergateway.provider.gemini.GeminiSchemaKeywords.merge;
import static dev.providergateway.provider.gemini.GeminiSchemaKeywords.reject;
import static dev.providergateway.provider.gemini.GeminiSchemaKeywords.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.ErrorText;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.http.Json;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Converts a JSON Schema (tool parameters, a response schema) into the OpenAPI 3.0 subset that
 * Gemini's {@code Schema} object accepts. Gemini rejects a request that contains any keyword it
 * does not know, so every schema passes through here.
 *
 * <ul>
 *   <li>Translated: {@code type} (as {@code STRING}, {@code OBJECT}, ...; a list with {@code
 *       "null"} becomes {@code nullable}, several other types become {@code anyOf}), {@code
 *       properties}, {@code required}, {@code items}, {@code enum} and {@code const} (string
 *       values; other values are listed in the description, as Gemini only has string enums),
 *       {@code anyOf} and {@code oneOf} (as {@code anyOf}; a {@code null} branch becomes {@code
 *       nullable}), {@code allOf} (merged), local {@code $ref}s into {@code $defs} or {@code
 *       definitions} (inlined), {@code exclusiveMinimum}/{@code exclusiveMaximum} (as inclusive
 *       bounds, exact for integers), {@code format} (only the values Gemini accepts: {@code enum},
 *       {@code date-time}, {@code float}, {@code double}, {@code int32}, {@code int64}).
 *   <li>Copied: {@link #COPIED}, plus {@code nullable} and {@code propertyOrdering}.
 *   <li>Rejected with the field path: {@link #REJECTED}, tuple {@code items} lists, recursive or
 *       non-local {@code $ref}s, array schemas without {@code items}, the schema {@code false}.
 *   <li>Dropped: everything else. These are annotations or constraints whose absence only loosens
 *       what the model may produce, such as {@code $schema}, {@code $id}, {@code $comment}, {@code
 *       title}, {@code default}, {@code examples}, {@code additionalProperties}, {@code
 *       uniqueItems}, {@code multipleOf}, {@code readOnly}, {@code writeOnly}, {@code deprecated},
 *       {@code contentEncoding}, {@code contentMediaType} and other formats.
 * </ul>
 *
 * <p>Not thread-safe; one instance per conversion.
 */
final class GeminiSchema {
  static final List<String> COPIED =
      List.of(
          "description",
          "minItems",
          "maxItems",
          "minimum",
          "maximum",
          "minLength",
          "maxLength",
          "pattern",
          "minProperties",
          "maxProperties",
          "example");
  static final List<String> REJECTED =
      List.of(
          "patternProperties",
          "prefixItems",
          "not",
          "if",
          "then",
          "else",
          "dependentSchemas",
          "dependentRequired",
          "dependencies",
          "contains",
          "unevaluatedProperties",
          "unevaluatedItems",
          "propertyNames",
          "$dynamicRef",
          "$recursiveRef");
  private static final Map<String, Set<String>> FORMATS =
      Map.of(
          "string",
          Set.of("enum", "date-time"),
          "number",
          Set.of("float", "double"),
          "integer",
          Set.of("int32", "int64"));
  private static final Map<String, List<String>> TYPE_KEYWORDS =
      Map.of(
          "object",
              List.of(
                  "properties", "required", "propertyOrdering", "minProperties", "maxProperties"),
          "array", List.of("items", "minItems", "maxItems"),
          "string", List.of("minLength", "maxLength", "pattern"),
          "number", List.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"));

  private final JsonNode root;
  private final Deque<String> expanding = new ArrayDeque<>();

  private GeminiSchema(JsonNode root) {
    this.root = root;
    expanding.push("#");
  }

  /**
   * The Gemini form of {@code schema}; throws {@link InvalidRequestException} naming the field
   * under {@code path} (e.g. {@code tools[0].parameters}) for what Gemini cannot express.
   */
  static ObjectNode convert(Map<String, Object> schema, String path) {
    JsonNode root = Json.MAPPER.valueToTree(schema);
    return new GeminiSchema(root).schema(root, path);
  }

  private ObjectNode schema(JsonNode node, String path) {
    if (node.isBoolean() && node.asBoolean()) {
      return Json.object();
    }
    if (!node.isObject()) {
      throw reject(
          path,
          node.isBoolean()
              ? "the schema false (no value allowed) cannot be expressed in Gemini's schema subset"
              : "must be a JSON Schema object");
    }
    if (node.has("$ref")) {
      return ref(node, path);
    }
    for (String keyword : REJECTED) {
      if (node.has(keyword)) {
        throw reject(
            path + "." + keyword,
            "'" + keyword + "' cannot be expressed in Gemini's schema subset" + hint(keyword));
      }
    }
    ObjectNode own = own(node, path);
    JsonNode allOf = node.get("allOf");
    if (allOf == null) {
      return own;
    }
    if (!allOf.isArray() || allOf.isEmpty()) {
      throw reject(path + ".allOf", "must be a non-empty list of schemas");
    }
    ObjectNode merged = Json.object();
    for (int i = 0; i < allOf.size(); i++) {
      merge(merged, schema(allOf.get(i), path + ".allOf[" + i + "]"), path + ".allOf[" + i + "]");
    }
    merge(merged, own, path);
    return merged;
  }

  private ObjectNode ref(JsonNode node, String path) {
    String ref = node.get("$ref").asText("");
    String at = path + ".$ref";
    if (!ref.startsWith("#")) {
      throw reject(
          at,
          ErrorText.quote(ref)
              + " is not a local reference (#/...); only local references can be inlined");
    }
    if (expanding.contains(ref)) {
      throw reject(
          at,
          "'"
              + ref
              + "' is recursive; Gemini's schema subset has no references, so a recursive "
              + "schema cannot be expressed");
    }
    JsonNode target = root.at(ref.substring(1));
    if (target.isMissingNode()) {
      throw reject(at, ErrorText.quote(ref) + " does not resolve to a definition in this schema");
    }
    JsonNode resolved = target;
    if (node.size() > 1) {
      if (!target.isObject()) {
        throw reject(at, ErrorText.quote(ref) + " does not resolve to a schema object");
      }
      // Keywords beside the reference (usually a description) refine the referenced schema.
      ObjectNode copy = target.deepCopy();
      node.fields()
          .forEachRemaining(
              e -> {
                if (!e.getKey().equals("$ref")) {
                  copy.set(e.getKey(), e.getValue());
                }
              });
      resolved = copy;
    }
    expanding.push(ref);
    try {
      return schema(resolved, path);
    } finally {
      expanding.pop();
    }
  }

  private ObjectNode own(JsonNode node, String path) {
    List<String> types = types(node, path);
    boolean nullable = types.remove("null") | node.path("nullable").asBoolean(false);
    List<JsonNode> values = new ArrayList<>();
    node.path("enum").forEach(values::add);
    if (node.has("const")) {
      values.add(node.get("const"));
    }
    nullable |= values.removeIf(JsonNode::isNull);
    if (types.size() > 1) {
      return union(node, types, nullable, path);
    }
    String type = types.isEmpty() ? inferType(node, values) : types.get(0);
    ObjectNode out = Json.object();
    if (type != null) {
      out.put("type", TYPES.get(type));
    }
    for (String keyword : COPIED) {
      if (node.has(keyword)) {
        out.set(keyword, node.get(keyword));
      }
    }
    String format = node.path("format").asText("");
    if (type != null && FORMATS.getOrDefault(type, Set.of()).contains(format)) {
      out.put("format", format);
    }
    enumeration(out, values, type);
    exclusiveBound(out, node, "exclusiveMinimum", "minimum", 1, type);
    exclusiveBound(out, node, "exclusiveMaximum", "maximum", -1, type);
    objectKeywords(out, node, path);
    JsonNode items = node.get("items");
    if (items != null && items.isArray()) {
      throw reject(
          path + ".items",
          "a list of item schemas (a tuple) cannot be expressed in Gemini's schema subset; "
              + "use one schema for every item");
    } else if (items != null) {
      out.set("items", schema(items, path + ".items"));
    } else if ("array".equals(type)) {
      throw reject(
          path, "an array schema needs 'items' for Gemini, for example {\"type\":\"string\"}");
    }
    anyOf(out, node, path);
    if (nullable) {
      out.put("nullable", true);
    }
    return out;
  }

  private void objectKeywords(ObjectNode out, JsonNode node, String path) {
    JsonNode properties = node.get("properties");
    if (properties != null && properties.isObject()) {
      ObjectNode props = out.putObject("properties");
      properties
          .fields()
          .forEachRemaining(
              e -> props.set(e.getKey(), schema(e.getValue(), path + ".properties." + e.getKey())));
    }
    for (String keyword : List.of("required", "propertyOrdering")) {
      JsonNode names = node.get(keyword);
      if (names != null && names.isArray()) {
        ArrayNode copy = out.putArray(keyword);
        names.forEach(n -> copy.add(n.asText()));
      }
    }
  }

  private void anyOf(ObjectNode out, JsonNode node, String path) {
    if (node.has("anyOf") && node.has("oneOf")) {
      throw reject(
          path + ".oneOf",
          "a schema with both anyOf and oneOf cannot be expressed in Gemini's schema subset");
    }
    String keyword = node.has("anyOf") ? "anyOf" : node.has("oneOf") ? "oneOf" : null;
    if (keyword == null) {
      return;
    }
    JsonNode branches = node.get(keyword);
    if (!branches.isArray() || branches.isEmpty()) {
      throw reject(path + "." + keyword, "must be a non-empty list of schemas");
    }
    List<ObjectNode> converted = new ArrayList<>();
    boolean nullBranch = false;
    for (int i = 0; i < branches.size(); i++) {
      JsonNode branch = branches.get(i);
      if (isNullOnly(branch)) {
        nullBranch = true;
      } else {
        converted.add(schema(branch, path + "." + keyword + "[" + i + "]"));
      }
    }
    if (nullBranch) {
      out.put("nullable", true);
    }
    if (converted.size() == 1 && !out.has("type") && !out.has("properties")) {
      // Optional[X] in most generators: anyOf [X, null]. Flattened, the parent's keywords win.
      converted
          .get(0)
          .fields()
          .forEachRemaining(
              e -> {
                if (!out.has(e.getKey())) {
                  out.set(e.getKey(), e.getValue());
                }
              });
    } else if (!converted.isEmpty()) {
      out.putArray("anyOf").addAll(converted);
    }
  }

  private ObjectNode union(JsonNode node, List<String> types, boolean nullable, String path) {
    ObjectNode out = Json.object();
    if (node.has("description")) {
      out.set("description", node.get("description"));
    }
    ArrayNode branches = out.putArray("anyOf");
    for (String type : types) {
      ObjectNode copy = node.deepCopy();
      copy.put("type", type);
      copy.remove(List.of("description", "nullable"));
      TYPE_KEYWORDS.forEach(
          (owner, keywords) -> {
            boolean numeric = owner.equals("number") && type.equals("integer");
            if (!owner.equals(type) && !numeric) {
              copy.remove(keywords);
            }
          });
      if (node.has("const") && !matches(node.get("const"), type)) {
        copy.remove("const");
      }
      JsonNode values = node.get("enum");
      if (values != null && values.isArray()) {
        ArrayNode kept = copy.putArray("enum");
        values.forEach(
            v -> {
              if (matches(v, type)) {
                kept.add(v);
              }
            });
      }
      branches.add(own(copy, path));
    }
    if (nullable) {
      out.put("nullable", true);
    }
    return out;
  }
}
