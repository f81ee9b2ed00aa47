package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

/**
 * One complete tool call. {@code arguments} is the text of a JSON object ({@code "{}"} when the
 * model's text was not one); {@code rawArguments} is the model's exact text when it differed, else
 * empty. {@code signature} is the provider's opaque signature on the call (Gemini's thought
 * signature), "" when none; it must be sent back with the call in later turns.
 */
public record ToolCall(
    String id, String name, String arguments, String rawArguments, String signature) {
  public ToolCall {
    requireNonNull(id, "id");
    requireNonNull(name, "name");
    requireNonNull(arguments, "arguments");
    requireNonNull(rawArguments, "rawArguments");
    requireNonNull(signature, "signature");
  }

  /** A call without a signature. */
  public ToolCall(String id, String name, String arguments, String rawArguments) {
    this(id, name, arguments, rawArguments, "");
  }

  /** This call with {@code value} as its signature. */
  public ToolCall withSignature(String value) {
    return new ToolCall(id, name, arguments, rawArguments, value);
  }

  /** A call whose arguments are already a valid JSON object text. */
  public static ToolCall of(String id, String name, String arguments) {
    return new ToolCall(id, name, arguments, "");
  }
}
