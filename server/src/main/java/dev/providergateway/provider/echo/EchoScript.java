package dev.providergateway.provider.echo;

import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.ToolArguments;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The echo provider's deterministic answer to a request, computed once and then either returned
 * whole or streamed.
 *
 * <p>The reply is the content of the last {@code user} or {@code tool} message. When the request
 * has tools and that message is a user message whose lines read {@code call NAME} or {@code call
 * NAME {json arguments}}, with NAME one of the tools, each such line becomes a tool call instead
 * (ids {@code echo_call_0}, {@code echo_call_1}, ...). {@code max_tokens} cuts the reply after that
 * many words, with stop reason {@code length}.
 */
record EchoScript(
    List<String> words, List<ToolCall> toolCalls, StopReason stopReason, Usage usage) {
  private static final Pattern CALL_LINE =
      Pattern.compile("^\\s*call\\s+([A-Za-z][A-Za-z0-9_-]*)\\s*(.*?)\\s*$");

  static EchoScript of(ChatRequest request) {
    Message source = lastUserOrTool(request.messages());
    String text = source == null ? "" : source.content();
    List<ToolCall> calls =
        source != null && source.role() == Role.USER && !request.tools().isEmpty()
            ? toolCalls(text, request.tools())
            : List.of();
    List<String> words = calls.isEmpty() ? split(text) : List.of();
    StopReason stop = calls.isEmpty() ? StopReason.STOP : StopReason.TOOL_CALLS;
    Integer max = request.maxTokens();
    if (max != null && words.size() > max) {
      words = words.subList(0, max);
      stop = StopReason.LENGTH;
    }
    int prompt = 0;
    for (Message m : request.messages()) {
      prompt += count(m.content());
    }
    return new EchoScript(words, calls, stop, Usage.of(prompt, words.size() + calls.size()));
  }

  String content() {
    return String.join("", words);
  }

  /** The native stop reason: echo reports the normalized names in OpenAI's spelling. */
  String nativeStopReason() {
    return stopReason.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static Message lastUserOrTool(List<Message> messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      Role role = messages.get(i).role();
      if (role == Role.USER || role == Role.TOOL) {
        return messages.get(i);
      }
    }
    return null;
  }

  /**
   * Words with their leading whitespace (the last one also with trailing whitespace), so that
   * joining them gives the text back.
   */
  static List<String> split(String text) {
    // By hand, not with a regex: echo is the bench's measure of the gateway's own cost per call,
    // and a matcher per message was a visible part of it. Whitespace is what regex \s matches.
    List<String> words = new ArrayList<>();
    int n = text.length();
    int i = 0;
    while (i < n) {
      int start = i;
      while (i < n && isSpace(text.charAt(i))) {
        i++;
      }
      if (i == n) {
        break;
      }
      while (i < n && !isSpace(text.charAt(i))) {
        i++;
      }
      int after = i;
      while (after < n && isSpace(text.charAt(after))) {
        after++;
      }
      if (after == n) {
        i = n; // the last word keeps the trailing whitespace
      }
      words.add(text.substring(start, i));
    }
    return words;
  }

  /** How many words {@link #split} finds in {@code text}, without making them. */
  static int count(String text) {
    int words = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); i++) {
      boolean space = isSpace(text.charAt(i));
      if (!space && !inWord) {
        words++;
      }
      inWord = !space;
    }
    return words;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c >= '\t' && c <= '\r'; // \t \n VT \f \r
  }

  private static List<ToolCall> toolCalls(String text, List<ToolDefinition> tools) {
    Set<String> names = tools.stream().map(ToolDefinition::name).collect(Collectors.toSet());
    List<ToolCall> calls = new ArrayList<>();
    for (String line : text.split("\n")) {
      Matcher m = CALL_LINE.matcher(line);
      if (m.matches() && names.contains(m.group(1))) {
        calls.add(ToolArguments.toolCall("echo_call_" + calls.size(), m.group(1), m.group(2)));
      }
    }
    return calls;
  }
}
