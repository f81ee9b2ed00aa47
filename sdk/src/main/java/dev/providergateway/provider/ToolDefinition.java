package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A tool the model may call. {@code parameters} is a JSON Schema object as plain Java values (maps,
 * lists, strings, numbers, booleans, null), ready for Jackson to serialize.
 */
public record ToolDefinition(String name, String description, Map<String, Object> parameters) {
  public ToolDefinition {
    requireNonNull(name, "name");
    requireNonNull(description, "description");
    requireNonNull(parameters, "parameters");
  }
}
