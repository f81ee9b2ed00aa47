package dev.providergateway.structured;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.providergateway.provider.http.Json;
import java.util.List;
import java.util.Map;

/**
 * The optional check ({@code ChatRequest.check_schema}) that a structured answer parses as JSON and
 * validates against the caller's JSON Schema, with networknt's json-schema-validator (draft
 * 2020-12). The result always goes into the response metadata under {@link #KEY}, never silently
 * passed: {@code valid}, {@code invalid: <what failed>}, {@code not_json: <why>}, or {@code
 * not_checked: <why>} for a schema the gateway will not evaluate.
 *
 * <p>Only local references ({@code #...}) are allowed: a schema with a {@code $ref} to anywhere
 * else is not checked, so a caller's schema never makes the gateway fetch a URL. Each check
 * compiles the schema afresh (no cache grows with callers' schemas); both inputs are bounded by the
 * request and response size limits. Stateless and thread-safe.
 */
public final class SchemaCheck {
  /** The metadata key the result goes under. */
  public static final String KEY = "schema_check";

  /** The longest result text; the first failures are kept. */
  static final int MAX_RESULT = 512;

  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  private SchemaCheck() {}

  /** The check's result for {@code answer} against {@code schema} (plain Java values). */
  public static String check(String answer, Map<String, Object> schema) {
    JsonNode schemaNode = Json.MAPPER.valueToTree(schema);
    String remote = remoteReference(schemaNode);
    if (remote != null) {
      return clip("not_checked: the schema refers to " + remote + "; only local #... refs are");
    }
    if (schemaNode.isObject()) {
      // The dialect is fixed: a $schema URL is never resolved.
      schemaNode = ((ObjectNode) schemaNode).deepCopy().without("$schema");
    }
    JsonNode value = Json.tryParse(stripFence(answer));
    if (value == null) {
      return "not_json: the answer does not parse as JSON";
    }
    List<Error> errors;
    try {
      Schema compiled = REGISTRY.getSchema(schemaNode);
      errors = compiled.validate(value);
    } catch (RuntimeException e) {
      return clip("not_checked: the schema could not be evaluated: " + e.getMessage());
    }
    if (errors.isEmpty()) {
      return "valid";
    }
    StringBuilder out = new StringBuilder("invalid: ");
    for (int i = 0; i < errors.size() && out.length() < MAX_RESULT; i++) {
      if (i > 0) {
        out.append("; ");
      }
      out.append(errors.get(i).toString());
    }
    return clip(out.toString());
  }

  /** The first non-local reference in {@code node}, or null when all are local. */
  private static String remoteReference(JsonNode node) {
    if (node.isObject()) {
      var fields = node.fields();
      while (fields.hasNext()) {
        var field = fields.next();
        String key = field.getKey();
        if ((key.equals("$ref") || key.equals("$dynamicRef") || key.equals("$recursiveRef"))
            && !(field.getValue().isTextual() && field.getValue().asText().startsWith("#"))) {
          return key + " " + field.getValue().toString();
        }
        String inner = remoteReference(field.getValue());
        if (inner != null) {
          return inner;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode item : node) {
        String inner = remoteReference(item);
        if (inner != null) {
          return inner;
        }
      }
    }
    return null;
  }

  /** Models that were only instructed often wrap their JSON in a ```json fence. */
  private static String stripFence(String answer) {
    String t = answer.strip();
    if (t.startsWith("```")) {
      int newline = t.indexOf('\n');
      int end = t.lastIndexOf("```");
      if (newline > 0 && end > newline) {
        return t.substring(newline + 1, end);
      }
    }
    return t;
  }

  private static String clip(String s) {
    return s.length() <= MAX_RESULT ? s : s.substring(0, MAX_RESULT - 3) + "...";
  }
}
