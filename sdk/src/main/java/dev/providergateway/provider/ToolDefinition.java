package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A tool the model may call. {@code parameters} is a JSON Schema object as plain Java values (maps,
 * lists, strings, numbers, booleans, null), ready for Jackson to serialize. {@code cacheControl} is
 * the caller's prompt-cache breakpoint after this tool, or null when none.
 */
public record ToolDefinition(
    String name, String description, Map<String, Object> parameters, CacheControl cacheControl) {
  public ToolDefinition {
    requireNonNull(name, "name");
    requireNonNull(description, "description");
    requireNonNull(parameters, "parameters");
  }

  /** A tool without a cache breakpoint. */
  public ToolDefinition(String name, String description, Map<String, Object> parameters) {
    this(name, description, parameters, null);
  }
}
