package dev.providergateway.examples.chatlines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.ToolChoice;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.http.Json;
import java.util.List;
import java.util.Map;

/**
 * The tool-call adapter between the domain records and chat-lines, request side: tools become
 * the {@code toolbox}, the tool choice becomes {@code must_call}, an assistant's earlier calls
 * become {@code calls} with their {@code input} as a JSON object, and tool results become {@code
 * result} entries paired by {@code ref}. The response side ({@code CALL} and {@code ARGS} lines)
 * is in {@link ChatLinesDecoder}. Stateless.
 */
final class ChatLinesTools {
  private ChatLinesTools() {}

  /** Adds {@code toolbox} and {@code must_call} to {@code body}; {@code notes} says what was adjusted. */
  static void addTools(ChatRequest r, ObjectNode body, Map<String, String> notes) {
    if (r.tools().isEmpty()) {
      return;
    }
    if (r.toolChoice() instanceof ToolChoice.Mode mode && mode.kind() == ToolChoice.Mode.Kind.NONE) {
      // chat-lines has no "never call"; not offering the tools has the same effect.
      notes.put("adjusted.tool_choice", "chat-lines has no tool_choice none; the tools were not sent");
      return;
    }
    body.set("toolbox", toolbox(r.tools()));
    if (r.toolChoice() instanceof ToolChoice.Named named) {
      body.put("must_call", named.toolName());
    } else if (r.toolChoice() instanceof ToolChoice.Mode mode && mode.kind() == ToolChoice.Mode.Kind.REQUIRED) {
      body.put("must_call", "any");
    }
  }

  static ArrayNode toolbox(List<ToolDefinition> tools) {
    ArrayNode box = Json.MAPPER.createArrayNode();
    for (ToolDefinition t : tools) {
      box.addObject()
          .put("tool", t.name())
          .put("about", t.description())
          .set("input_schema", Json.MAPPER.valueToTree(t.parameters()));
    }
    return box;
  }

  /** An assistant message's calls; {@code input} is an object, as chat-lines wants. */
  static ArrayNode calls(List<ToolCall> calls) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (ToolCall c : calls) {
      // ToolCall.arguments is a JSON object's text by contract ("{}" when the model's was not).
      JsonNode input = Json.tryParse(c.arguments());
      out.addObject()
          .put("ref", c.id())
          .put("tool", c.name())
          .set("input", input != null && input.isObject() ? input : Json.object());
    }
    return out;
  }
}
