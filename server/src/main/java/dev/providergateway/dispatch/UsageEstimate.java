package dev.providergateway.dispatch;

import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.Usage;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/**
 * The gateway's estimate of what an attempt consumed when the upstream reported no usage (a stream
 * cancelled or cut before its usage arrived, an upstream that never reports it): about four
 * characters a token, the usual rule of thumb for English text with the common BPE tokenizers.
 * Images count nothing. Estimates are always marked as such.
 */
final class UsageEstimate {
  static final int CHARS_PER_TOKEN = 4;

  private UsageEstimate() {}

  /** Tokens for {@code chars} characters of text, rounded up. */
  static int tokens(long chars) {
    return (int) Math.min(Integer.MAX_VALUE, (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
  }

  /** The estimated prompt tokens of {@code request}: its messages, tool calls and tools. */
  static int prompt(ChatRequest request) {
    long chars = 0;
    for (Message m : request.messages()) {
      chars += length(m.content()) + length(m.name());
      for (ToolCall c : m.toolCalls()) {
        chars += length(c.name()) + length(c.arguments());
      }
    }
    for (ToolDefinition t : request.tools()) {
      chars += length(t.name()) + length(t.description());
      chars += t.parameters() == null ? 0 : t.parameters().toString().length();
    }
    return tokens(chars);
  }

  /** The estimated completion tokens of {@code response}: its text, reasoning and tool calls. */
  static int completion(CompletionResponse response) {
    long chars = length(response.content()) + length(response.reasoningContent());
    for (ToolCall c : response.toolCalls()) {
      chars += length(c.name()) + length(c.arguments());
    }
    return tokens(chars);
  }

  /**
   * Whether a unary attempt that failed with {@code failure} consumed upstream tokens: one that was
   * cancelled (the caller left, or a deadline passed), timed out after the request was sent, or
   * answered with a body that could not be read. An upstream that answered with an error status
   * charged nothing for it.
   */
  static boolean consumedOnFailure(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof CancellationException
        || t instanceof ProviderException.Timeout
        // A 200 whose body could not be read: the upstream did the work.
        || t instanceof ProviderException.InvalidResponse;
  }

  static Usage of(int prompt, int completion) {
    return Usage.of(prompt, completion);
  }

  private static int length(String s) {
    return s == null ? 0 : s.length();
  }
}
