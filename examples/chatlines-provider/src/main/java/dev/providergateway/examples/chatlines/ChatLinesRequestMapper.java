package dev.providergateway.examples.chatlines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.ResponseFormat;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.ToolChoice;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.http.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps a {@link ChatRequest} to the chat-lines body of {@code POST /v1/generate}. Stateless.
 *
 * <p>It is also the request side of the tool-call adapter: tools become the {@code toolbox}, the
 * tool choice becomes {@code must_call}, an assistant's earlier calls become {@code calls} with
 * their {@code input} as a JSON object, and tool results become {@code result} entries paired by
 * {@code ref}. The response side ({@code CALL} and {@code ARGS} lines) is in {@link
 * ChatLinesStreamDecoder}.
 *
 * <p>{@code extra} keys are passed through as top-level request fields, except the ones the
 * provider sets itself ({@value #RESERVED_DOC}), which are refused.
 */
final class ChatLinesRequestMapper {
  static final String RESERVED_DOC = "model, stream, setup, prompt, toolbox and must_call";
  private static final Set<String> RESERVED =
      Set.of("model", "stream", "setup", "prompt", "toolbox", "must_call");

  private ChatLinesRequestMapper() {}

  /** The request body; {@code notes} collects what chat-lines cannot honour as asked. */
  static ObjectNode requestBody(ChatRequest r, boolean stream, Map<String, String> notes) {
    ObjectNode body = Json.object().put("model", r.model()).put("stream", stream);
    StringBuilder setup = new StringBuilder();
    ArrayNode prompt = Json.MAPPER.createArrayNode();
    for (int i = 0; i < r.messages().size(); i++) {
      Message m = r.messages().get(i);
      if (!m.images().isEmpty()) {
        throw InvalidRequestException.of(
            "messages[" + i + "].images", "chat-lines takes text only, no images");
      }
      switch (m.role()) {
        case SYSTEM, DEVELOPER ->
            setup.append(setup.length() == 0 ? "" : "\n\n").append(m.content());
        case USER -> prompt.addObject().put("from", "human").put("text", m.content());
        case ASSISTANT -> {
          ObjectNode turn = prompt.addObject().put("from", "model").put("text", m.content());
          if (!m.toolCalls().isEmpty()) {
            turn.set("calls", calls(m.toolCalls()));
          }
        }
        case TOOL, FUNCTION ->
            prompt
                .addObject()
                .put("from", "result")
                .put("ref", m.toolCallId())
                .put("text", m.content());
      }
    }
    if (setup.length() > 0) {
      body.put("setup", setup.toString());
    }
    body.set("prompt", prompt);
    addTools(r, body, notes);
    if (r.temperature() != null) {
      body.put("heat", r.temperature());
    }
    if (r.topP() != null) {
      body.put("nucleus", r.topP());
    }
    if (r.maxTokens() != null) {
      body.put("limit", r.maxTokens());
    }
    if (r.seed() != null) {
      body.put("seed", r.seed());
    }
    if (!r.stop().isEmpty()) {
      ArrayNode halt = body.putArray("halt");
      r.stop().forEach(halt::add);
    }
    if (!(r.responseFormat() instanceof ResponseFormat.Text)) {
      notes.put("dropped.response_format", "chat-lines has no structured output mode");
    }
    if (!r.reasoningEffort().isEmpty()) {
      notes.put("dropped.reasoning_effort", "chat-lines models do not reason");
    }
    r.extra()
        .forEach(
            (key, value) -> {
              if (RESERVED.contains(key)) {
                throw InvalidRequestException.of(
                    "extra." + key, "is set by the gateway and cannot be overridden");
              }
              body.set(key, Json.MAPPER.valueToTree(value));
            });
    return body;
  }

  /**
   * Adds {@code toolbox} and {@code must_call} to {@code body}; {@code notes} says what was
   * adjusted.
   */
  private static void addTools(ChatRequest r, ObjectNode body, Map<String, String> notes) {
    if (r.tools().isEmpty()) {
      return;
    }
    if (r.toolChoice() instanceof ToolChoice.Mode mode
        && mode.kind() == ToolChoice.Mode.Kind.NONE) {
      // chat-lines has no "never call"; not offering the tools has the same effect.
      notes.put(
          "adjusted.tool_choice", "chat-lines has no tool_choice none; the tools were not sent");
      return;
    }
    body.set("toolbox", toolbox(r.tools()));
    if (r.toolChoice() instanceof ToolChoice.Named named) {
      body.put("must_call", named.toolName());
    } else if (r.toolChoice() instanceof ToolChoice.Mode mode
        && mode.kind() == ToolChoice.Mode.Kind.REQUIRED) {
      body.put("must_call", "any");
    }
  }

  private static ArrayNode toolbox(List<ToolDefinition> tools) {
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
  private static ArrayNode calls(List<ToolCall> calls) {
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
