package dev.providergateway.provider;

/**
 * Token counts of one completion, normalized: {@code promptTokens} includes cached input, and
 * {@code cacheReadTokens}/{@code cacheWriteTokens} are parts of it; {@code reasoningTokens} is a
 * part of {@code completionTokens}.
 */
public record Usage(
    int promptTokens,
    int completionTokens,
    int cacheReadTokens,
    int cacheWriteTokens,
    int reasoningTokens) {

  /** No tokens counted. */
  public static final Usage ZERO = new Usage(0, 0, 0, 0, 0);

  /** Prompt plus completion tokens. */
  public int totalTokens() {
    return promptTokens + completionTokens;
  }

  /** Usage with only prompt and completion counts. */
  public static Usage of(int promptTokens, int completionTokens) {
    return new Usage(promptTokens, completionTokens, 0, 0, 0);
  }
}
