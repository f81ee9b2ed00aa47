package dev.providergateway.toolcalling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.ToolArguments;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.http.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads tool calls out of one candidate block of model text, in the formats models without native
 * tool calling use: a JSON object (or array of objects) with {@code name} and {@code arguments} (or
 * {@code parameters}), in a {@code ```json} fence, a Hermes/Qwen {@code
 * <tool_call>{json}</tool_call>} or LM Studio {@code [TOOL_REQUEST]{json}[END_TOOL_REQUEST]};
 * {@code <tool_call>} or {@code <function_call>} with {@code <name>} and {@code <arguments>}
 * children; and {@code <function=NAME><parameter=KEY>VALUE</parameter></function>}.
 *
 * <p>A call is accepted only when its name matches {@code ^[a-zA-Z][a-zA-Z0-9_]*$} and, when the
 * request listed tools, is one of them; otherwise the block is not a call and stays text.
 */
final class TextToolCalls {
  static final Pattern NAME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9_]*$");
  private static final Pattern CHILD_NAME = Pattern.compile("(?s)<name>\\s*(.*?)\\s*</name>");
  private static final Pattern CHILD_ARGS =
      Pattern.compile("(?s)<(arguments|parameters)>\\s*(.*?)\\s*</\\1>");
  private static final Pattern FUNCTION =
      Pattern.compile("(?s)^<function=([^>\\s]+)>(.*)</function>$");
  private static final Pattern PARAMETER =
      Pattern.compile("(?s)<parameter=([^>\\s]+)>(.*?)</parameter>");

  private TextToolCalls() {}

  /**
   * The calls in {@code block} (a whole candidate, markers included), or empty when it holds none.
   */
  static List<ToolCall> parse(String block, Set<String> allowed, int firstIndex) {
    String b = block.strip();
    List<Parsed> found;
    if (b.startsWith("```")) {
      found = json(fenceBody(b));
    } else if (b.startsWith("[TOOL_REQUEST]")) {
      found =
          json(b.substring("[TOOL_REQUEST]".length(), b.length() - "[END_TOOL_REQUEST]".length()));
    } else if (b.startsWith("<tool_call>") || b.startsWith("<function_call>")) {
      String tag = b.startsWith("<tool_call>") ? "tool_call" : "function_call";
      String inner = b.substring(tag.length() + 2, b.length() - tag.length() - 3).strip();
      // Qwen3-Coder wraps the <function=...> form in <tool_call>.
      found =
          inner.startsWith("{") || inner.startsWith("[")
              ? json(inner)
              : inner.startsWith("<function=") ? function(inner) : tagged(inner);
    } else if (b.startsWith("<function=")) {
      found = function(b);
    } else {
      found = json(b);
    }
    List<ToolCall> calls = new ArrayList<>();
    for (Parsed p : found) {
      if (!NAME.matcher(p.name).matches() || (!allowed.isEmpty() && !allowed.contains(p.name))) {
        return List.of();
      }
      calls.add(ToolArguments.toolCall("call_" + (firstIndex + calls.size()), p.name, p.arguments));
    }
    return calls;
  }

  private record Parsed(String name, String arguments) {}

  private static String fenceBody(String fence) {
    int firstLine = fence.indexOf('\n');
    int end = fence.lastIndexOf("```");
    return firstLine < 0 || end <= firstLine ? "" : fence.substring(firstLine + 1, end);
  }

  private static List<Parsed> json(String text) {
    JsonNode node = Json.tryParse(text.strip());
    if (node == null) {
      return List.of();
    }
    List<Parsed> out = new ArrayList<>();
    if (node.isArray()) {
      for (JsonNode item : node) {
        Parsed p = call(item);
        if (p == null) {
          return List.of();
        }
        out.add(p);
      }
    } else {
      Parsed p = call(node);
      if (p != null) {
        out.add(p);
      }
    }
    return out;
  }

  private static Parsed call(JsonNode node) {
    if (!node.isObject() || !node.path("name").isTextual()) {
      return null;
    }
    JsonNode args = node.has("arguments") ? node.get("arguments") : node.get("parameters");
    if (args == null) {
      return null;
    }
    return new Parsed(
        node.get("name").asText(), args.isTextual() ? args.asText() : Json.write(args));
  }

  private static List<Parsed> tagged(String inner) {
    Matcher name = CHILD_NAME.matcher(inner);
    if (!name.find()) {
      return List.of();
    }
    Matcher args = CHILD_ARGS.matcher(inner);
    return List.of(new Parsed(name.group(1), args.find() ? args.group(2) : "{}"));
  }

  private static List<Parsed> function(String block) {
    Matcher m = FUNCTION.matcher(block);
    if (!m.matches()) {
      return List.of();
    }
    ObjectNode args = Json.object();
    Matcher p = PARAMETER.matcher(m.group(2));
    while (p.find()) {
      String value = p.group(2).strip();
      JsonNode parsed = Json.tryParse(value);
      args.set(
          p.group(1),
          parsed != null && !parsed.isTextual()
              ? parsed
              : Json.MAPPER.getNodeFactory().textNode(value));
    }
    return List.of(new Parsed(m.group(1), Json.write(args)));
  }
}
