package dev.providergateway.provider;

import dev.providergateway.provider.http.Json;

/**
 * The gateway's local token estimate, for providers with no counting endpoint: one token per four
 * characters (rounded up) of every message's text, tool-call arguments and tool definitions (name,
 * description and the JSON text of the parameters), plus 4 tokens of framing per message and 8 per
 * image. It is the rule of thumb OpenAI documents for English text ("about 4 characters per
 * token"); it is not a tokenizer, and real counts for code or non-Latin text are often higher.
 * Every result is marked {@link TokenCount#estimated()}.
 */
public final class TokenEstimate {
  /** Characters per token. */
  static final int CHARS_PER_TOKEN = 4;

  /** Framing tokens per message (role and separators). */
  static final int PER_MESSAGE = 4;

  /** Tokens charged per image; real costs depend on size and are far higher. */
  static final int PER_IMAGE = 8;

  private TokenEstimate() {}

  /** The estimate for {@code request}'s input. */
  public static TokenCount of(ChatRequest request) {
    long chars = 0;
    long tokens = 0;
    for (Message m : request.messages()) {
      tokens += PER_MESSAGE + (long) PER_IMAGE * m.images().size();
      chars += m.content().length() + m.name().length();
      for (ToolCall call : m.toolCalls()) {
        chars += call.name().length() + call.arguments().length();
      }
    }
    for (ToolDefinition tool : request.tools()) {
      chars +=
          tool.name().length()
              + tool.description().length()
              + Json.write(tool.parameters()).length();
    }
    tokens += (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    return new TokenCount((int) Math.min(Integer.MAX_VALUE, tokens), true);
  }
}
