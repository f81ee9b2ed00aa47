package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/** The requested shape of the model's output. */
public sealed interface ResponseFormat {

  /** Free text, the default. */
  ResponseFormat TEXT = new Text();

  /** Free text. */
  record Text() implements ResponseFormat {}

  /** Any valid JSON object. */
  record JsonObject() implements ResponseFormat {}

  /** JSON matching {@code schema} (plain Java values, as in {@link ToolDefinition}). */
  record JsonSchema(String name, Map<String, Object> schema, boolean strict)
      implements ResponseFormat {
    public JsonSchema {
      requireNonNull(name, "name");
      requireNonNull(schema, "schema");
    }
  }
}
