package dev.providergateway.provider.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.ErrorText;
import dev.providergateway.provider.Image;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.ResponseFormat;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.ToolChoice;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.http.Json;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds the body of Ollama's {@code POST /api/chat} from a {@link ChatRequest}: sampling
 * parameters go into {@code options}, and tool-call arguments are sent as JSON objects, not
 * strings. Stateless.
 *
 * <p>{@code extra} passthrough: the keys {@value #TOP_LEVEL_DOC} are top-level request fields and
 * replace what the gateway derived; {@code options} (an object) is merged into {@code options};
 * {@code thinking} is read by {@link OllamaThink}; every other key is a model option (for example
 * {@code num_ctx}, {@code top_k}, {@code repeat_penalty}). Keys the gateway must own ({@code
 * model}, {@code messages}, {@code tools}, {@code stream}) are refused.
 */
final class OllamaRequestMapper {
  static final Set<String> TOP_LEVEL =
      Set.of("keep_alive", "think", "format", "logprobs", "top_logprobs");
  static final String TOP_LEVEL_DOC = "keep_alive, think, format, logprobs and top_logprobs";
  private static final Set<String> RESERVED = Set.of("model", "messages", "tools", "stream");

  private OllamaRequestMapper() {}

  /** The request body; {@code notes} collects parameters Ollama cannot honour as asked. */
  static ObjectNode requestBody(
      ChatRequest r, boolean stream, OllamaSettings settings, Map<String, String> notes) {
    ObjectNode body = Json.object();
    body.put("model", r.model());
    ArrayNode messages = body.putArray("messages");
    Map<String, String> toolNames = new HashMap<>();
    for (int i = 0; i < r.messages().size(); i++) {
      messages.add(message(r.messages().get(i), "messages[" + i + "]", toolNames));
    }
    List<ToolDefinition> tools = offeredTools(r, notes);
    if (!tools.isEmpty()) {
      ArrayNode array = body.putArray("tools");
      for (ToolDefinition t : tools) {
        ObjectNode fn = array.addObject().put("type", "function").putObject("function");
        fn.put("name", t.name())
            .put("description", t.description())
            .set("parameters", Json.MAPPER.valueToTree(t.parameters()));
      }
    }
    // Ollama streams unless told otherwise, so the field is always explicit.
    body.put("stream", stream);
    if (r.responseFormat() instanceof ResponseFormat.JsonObject) {
      body.put("format", "json");
    } else if (r.responseFormat() instanceof ResponseFormat.JsonSchema s) {
      body.set("format", Json.MAPPER.valueToTree(s.schema()));
    }
    ObjectNode options = Json.object();
    settings.modelOptions().forEach((k, v) -> options.set(k, Json.MAPPER.valueToTree(v)));
    if (r.temperature() != null) {
      options.put("temperature", r.temperature());
    }
    if (r.topP() != null) {
      options.put("top_p", r.topP());
    }
    if (r.seed() != null) {
      options.put("seed", r.seed());
    }
    if (!r.stop().isEmpty()) {
      ArrayNode stop = options.putArray("stop");
      r.stop().forEach(stop::add);
    }
    if (r.maxTokens() != null) {
      options.put("num_predict", r.maxTokens());
    }
    JsonNode think = OllamaThink.of(r);
    if (think != null) {
      body.set("think", think);
    }
    if (settings.keepAlive() != null) {
      body.set("keep_alive", Json.MAPPER.valueToTree(settings.keepAlive()));
    }
    extra(r.extra(), body, options);
    if (!options.isEmpty()) {
      body.set("options", options);
    }
    return body;
  }

  private static void extra(Map<String, Object> extra, ObjectNode body, ObjectNode options) {
    extra.forEach(
        (key, value) -> {
          if (RESERVED.contains(key)) {
            throw InvalidRequestException.of(
                "extra." + key, "is set by the gateway and cannot be overridden");
          } else if (key.equals("options")) {
            if (!(value instanceof Map<?, ?> map)) {
              throw InvalidRequestException.of(
                  "extra.options",
                  "must be an object of Ollama model options, was " + ErrorText.quote(value));
            }
            map.forEach((k, v) -> options.set(String.valueOf(k), Json.MAPPER.valueToTree(v)));
          } else if (TOP_LEVEL.contains(key)) {
            body.set(key, Json.MAPPER.valueToTree(value));
          } else if (!key.equals("thinking")) {
            options.set(key, Json.MAPPER.valueToTree(value));
          }
        });
  }

  /** Ollama has no tool_choice: approximate it with the tools offered, and say so. */
  private static List<ToolDefinition> offeredTools(ChatRequest r, Map<String, String> notes) {
    if (r.tools().isEmpty()) {
      return List.of();
    }
    if (r.toolChoice() instanceof ToolChoice.Named named) {
      notes.put(
          "adjusted.tool_choice",
          "Ollama cannot force a tool call; only tool " + named.toolName() + " was offered");
      return r.tools().stream().filter(t -> t.name().equals(named.toolName())).toList();
    }
    ToolChoice.Mode.Kind kind = ((ToolChoice.Mode) r.toolChoice()).kind();
    if (kind == ToolChoice.Mode.Kind.NONE) {
      notes.put(
          "adjusted.tool_choice",
          "Ollama has no tool_choice; tools were not sent so that none is called");
      return List.of();
    }
    if (kind == ToolChoice.Mode.Kind.REQUIRED) {
      notes.put("dropped.tool_choice", "Ollama cannot force a tool call");
    }
    return r.tools();
  }

  private static ObjectNode message(Message m, String path, Map<String, String> toolNames) {
    ObjectNode out = Json.object().put("role", role(m)).put("content", m.content());
    if (!m.images().isEmpty()) {
      ArrayNode images = out.putArray("images");
      for (int i = 0; i < m.images().size(); i++) {
        images.add(base64(m.images().get(i), path + ".images[" + i + "]"));
      }
    }
    if (!m.toolCalls().isEmpty()) {
      ArrayNode calls = out.putArray("tool_calls");
      for (ToolCall c : m.toolCalls()) {
        toolNames.put(c.id(), c.name());
        ObjectNode fn = calls.addObject().putObject("function").put("name", c.name());
        // Ollama wants the arguments as an object; ToolCall.arguments is one's text by contract.
        JsonNode args = Json.tryParse(c.arguments());
        fn.set("arguments", args != null && args.isObject() ? args : Json.object());
      }
    }
    if (out.path("role").asText().equals("tool")) {
      // Ollama pairs a result with its call by tool name; the id is the gateway's own.
      String name = !m.name().isEmpty() ? m.name() : toolNames.getOrDefault(m.toolCallId(), "");
      if (!name.isEmpty()) {
        out.put("tool_name", name);
      }
    }
    return out;
  }

  private static String role(Message m) {
    return switch (m.role()) {
      case SYSTEM, DEVELOPER -> "system";
      case USER -> "user";
      case ASSISTANT -> "assistant";
      case TOOL, FUNCTION -> "tool";
    };
  }

  /** Ollama takes images as bare base64, no data: prefix and no URLs. */
  private static String base64(Image image, String field) {
    if (image instanceof Image.Inline inline) {
      return Base64.getEncoder().encodeToString(inline.data());
    }
    String url = ((Image.Url) image).url();
    int comma = url.indexOf(',');
    if (url.regionMatches(true, 0, "data:", 0, 5)
        && comma > 0
        && url.substring(0, comma).toLowerCase(Locale.ROOT).endsWith(";base64")) {
      return url.substring(comma + 1);
    }
    throw InvalidRequestException.of(
        field, "Ollama takes images inline (bytes or a base64 data: URL), not a link to fetch");
  }
}
