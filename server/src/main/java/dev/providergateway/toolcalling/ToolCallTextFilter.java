package dev.providergateway.toolcalling;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds tool calls in model text for models without native tool calling, incrementally: feed it the
 * text as it streams and it returns only the text that is certainly not part of a call. Text that
 * may start a call ({@code ```}, {@code <tool_call>}, {@code <function_call>}, {@code <function=},
 * {@code [TOOL_REQUEST]}, or a reply that begins with JSON) is held back until the block closes; a
 * block that holds a valid call is removed from the text, anything else is released as text. So
 * clients never see half a call as prose, and prose is delayed only while it might be a call. See
 * {@link TextToolCalls} for the formats.
 *
 * <p>For a whole text, {@link #parse} gives the same result in one call. Not thread-safe.
 */
public final class ToolCallTextFilter {
  private static final String[] OPENERS = {
    "```", "<tool_call>", "<function_call>", "<function=", "[TOOL_REQUEST]"
  };
  private static final String[] CLOSERS = {
    "```", "</tool_call>", "</function_call>", "</function>", "[END_TOOL_REQUEST]"
  };
  private static final String TOOL_REQUEST = "[TOOL_REQUEST]";

  /** What the held text is. */
  private enum Mode {
    /** Plain text, scanned for openers. */
    TEXT,
    /** A candidate block, held until its closer. */
    BLOCK,
    /** A code fence in a language other than JSON: passed through until it closes. */
    PASS_FENCE,
    /** A reply that starts with JSON: held to the end, then parsed whole. */
    JSON_REPLY
  }

  private final Set<String> allowed;
  private final StringBuilder pending = new StringBuilder();
  private final List<ToolCall> calls = new ArrayList<>();
  private Mode mode = Mode.TEXT;
  private int kind;
  private boolean started;

  /** A filter accepting calls of {@code allowedTools} (any valid name when empty). */
  public ToolCallTextFilter(Set<String> allowedTools) {
    this.allowed = Set.copyOf(requireNonNull(allowedTools, "allowedTools"));
  }

  /** The text and calls of a whole reply. */
  public static Result parse(String text, Set<String> allowedTools) {
    ToolCallTextFilter filter = new ToolCallTextFilter(allowedTools);
    String head = filter.feed(text);
    Result tail = filter.finish();
    return new Result(head + tail.text(), tail.calls());
  }

  /** Text with the calls removed, and the calls found in order. */
  public record Result(String text, List<ToolCall> calls) {
    public Result {
      requireNonNull(text, "text");
      calls = List.copyOf(calls);
    }
  }

  /** Feeds the next piece of text; returns the text that is safe to show now (maybe ""). */
  public String feed(String delta) {
    pending.append(delta);
    StringBuilder out = new StringBuilder();
    boolean progress = true;
    while (progress && pending.length() > 0) {
      progress =
          switch (mode) {
            case TEXT -> scanText(out);
            case BLOCK -> closeBlock(out);
            case PASS_FENCE -> passFence(out);
            case JSON_REPLY -> false;
          };
    }
    return out.toString();
  }

  /** The calls found so far, in order. */
  public List<ToolCall> finishedCalls() {
    return List.copyOf(calls);
  }

  /** Ends the text: returns what is still held as text (unclosed blocks) and every call found. */
  public Result finish() {
    String rest = pending.toString();
    pending.setLength(0);
    if (mode == Mode.JSON_REPLY) {
      List<ToolCall> found = TextToolCalls.parse(rest, allowed, calls.size());
      if (!found.isEmpty()) {
        calls.addAll(found);
        rest = "";
      } else {
        // Not one JSON call after all: scan it as ordinary text, which may still hold calls.
        mode = Mode.TEXT;
        pending.append(rest);
        String head = feed("");
        rest = head + pending;
        pending.setLength(0);
        if (mode == Mode.BLOCK || mode == Mode.PASS_FENCE) {
          mode = Mode.TEXT;
        }
      }
    }
    mode = Mode.TEXT;
    return new Result(rest, calls);
  }

  private boolean scanText(StringBuilder out) {
    if (!started) {
      int i = 0;
      while (i < pending.length() && Character.isWhitespace(pending.charAt(i))) {
        i++;
      }
      if (i == pending.length()) {
        return false;
      }
      String head = pending.substring(i);
      if (head.charAt(0) == '[' && TOOL_REQUEST.startsWith(head)) {
        return false;
      }
      if ((head.charAt(0) == '{' || head.charAt(0) == '[') && !head.startsWith(TOOL_REQUEST)) {
        int next = 1;
        while (next < head.length() && Character.isWhitespace(head.charAt(next))) {
          next++;
        }
        if (next == head.length()) {
          return false;
        }
        started = true;
        if (couldFollow(head.charAt(0), head.charAt(next))) {
          mode = Mode.JSON_REPLY;
          return false;
        }
      }
      started = true;
    }
    int at = nextOpener();
    if (at < 0) {
      int keep = partialSuffix(OPENERS);
      out.append(pending, 0, pending.length() - keep);
      pending.delete(0, pending.length() - keep);
      return false;
    }
    out.append(pending, 0, at);
    pending.delete(0, at);
    for (int k = 0; k < OPENERS.length; k++) {
      if (pending.indexOf(OPENERS[k]) == 0) {
        kind = k;
        break;
      }
    }
    mode = Mode.BLOCK;
    return true;
  }

  private boolean closeBlock(StringBuilder out) {
    if (kind == 0) {
      int nl = pending.indexOf("\n");
      if (nl < 0) {
        return false;
      }
      String lang = pending.substring(3, nl).strip();
      if (!lang.isEmpty() && !lang.equalsIgnoreCase("json")) {
        // Code in another language is never a call: show it as it streams.
        out.append(pending, 0, nl + 1);
        pending.delete(0, nl + 1);
        mode = Mode.PASS_FENCE;
        return true;
      }
    }
    int end = closerEnd(kind, OPENERS[kind].length());
    if (end < 0) {
      return false;
    }
    String block = pending.substring(0, end);
    pending.delete(0, end);
    List<ToolCall> found = TextToolCalls.parse(block, allowed, calls.size());
    if (found.isEmpty()) {
      out.append(block);
    } else {
      calls.addAll(found);
    }
    mode = Mode.TEXT;
    return true;
  }

  private boolean passFence(StringBuilder out) {
    int end = closerEnd(0, 0);
    if (end < 0) {
      // Everything but a possible start of the closing fence is safe to show.
      int keep = partialSuffix(new String[] {"\n```"});
      out.append(pending, 0, pending.length() - keep);
      pending.delete(0, pending.length() - keep);
      return false;
    }
    out.append(pending, 0, end);
    pending.delete(0, end);
    mode = Mode.TEXT;
    return true;
  }

  /**
   * The end of the closer of a block of {@code kind}, searched from {@code from}, or -1. A code
   * fence closes only with {@code ```} at the start of a line, as in Markdown, so backticks inside
   * a JSON string do not end it.
   */
  private int closerEnd(int kind, int from) {
    if (kind == 0) {
      int at = pending.indexOf("\n```", Math.max(0, from - 1));
      return at < 0 ? -1 : at + 4;
    }
    int at = pending.indexOf(CLOSERS[kind], from);
    return at < 0 ? -1 : at + CLOSERS[kind].length();
  }

  /** Whether {@code next} can follow {@code open} at the start of a JSON value. */
  private static boolean couldFollow(char open, char next) {
    if (open == '{') {
      return next == '"' || next == '}';
    }
    return next == '{'
        || next == '['
        || next == '"'
        || next == ']'
        || next == '-'
        || Character.isDigit(next)
        || next == 't'
        || next == 'f'
        || next == 'n';
  }

  private int nextOpener() {
    int best = -1;
    for (String opener : OPENERS) {
      int at = pending.indexOf(opener);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
      }
    }
    return best;
  }

  /** How many trailing characters could be the start of one of {@code markers}. */
  private int partialSuffix(String[] markers) {
    int keep = 0;
    for (String marker : markers) {
      for (int n = Math.min(marker.length() - 1, pending.length()); n > keep; n--) {
        if (pending.substring(pending.length() - n).equals(marker.substring(0, n))) {
          keep = n;
          break;
        }
      }
    }
    return keep;
  }
}
