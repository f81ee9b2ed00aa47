package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

/**
 * One complete tool call. {@code arguments} is the text of a JSON object ({@code "{}"} when the
 * model's text was not one); {@code rawArguments} is the model's exact text when it differed,
 * else empty.
 */
public record ToolCall(String id, String name, String arguments, String rawArguments) {
  public ToolCall {
    requireNonNull(id, "id");
    requireNonNull(name, "name");
    requireNonNull(arguments, "arguments");
    requireNonNull(rawArguments, "rawArguments");
  }

  /** A call whose arguments are already a valid JSON object text. */
  public static ToolCall of(String id, String name, String arguments) {
    return new ToolCall(id, name, arguments, "");
  }
}
