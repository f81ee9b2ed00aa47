package dev.providergateway.provider.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.Image;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.ResponseFormat;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.ToolChoice;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.http.Json;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * Maps a {@link ChatRequest} to an OpenAI Chat Completions request body, within what the target
 * server accepts. Stateless.
 */
final class OpenAiRequestMapper {
  // extra may add or override any parameter except these, which would break the exchange itself.
  private static final Set<String> RESERVED_EXTRA = Set.of("model", "messages", "stream");

  private OpenAiRequestMapper() {}

  /**
   * What the target server accepts.
   *
   * @param rules the parameter rules of the request's model
   * @param officialOpenAi OpenAI or Azure OpenAI (which know the {@code developer} role)
   * @param streamUsage whether to ask for stream usage with {@code stream_options}
   */
  record Dialect(OpenAiModels.Rules rules, boolean officialOpenAi, boolean streamUsage) {}

  /**
   * The request body; {@code notes} collects parameters dropped or renamed for this model. Throws
   * {@link InvalidRequestException} when {@code extra} tries to replace the model, the messages or
   * the streaming mode.
   */
  static ObjectNode requestBody(
      ChatRequest r, boolean stream, Dialect dialect, Map<String, String> notes) {
    for (String key : r.extra().keySet()) {
      if (RESERVED_EXTRA.contains(key)) {
        throw InvalidRequestException.of(
            "extra." + key, "is set by the gateway and cannot be passed through");
      }
    }
    OpenAiModels.Rules rules = dialect.rules();
    ObjectNode body = Json.object();
    body.put("model", r.model());
    ArrayNode messages = body.putArray("messages");
    for (Message m : r.messages()) {
      messages.add(message(m, dialect.officialOpenAi()));
    }
    if (r.temperature() != null) {
      if (rules.acceptsSampling()) {
        body.put("temperature", r.temperature());
      } else {
        notes.put("dropped.temperature", "model " + r.model() + " does not accept temperature");
      }
    }
    if (r.topP() != null) {
      if (rules.acceptsSampling()) {
        body.put("top_p", r.topP());
      } else {
        notes.put("dropped.top_p", "model " + r.model() + " does not accept top_p");
      }
    }
    if (r.maxTokens() != null) {
      body.put(rules.maxTokensField(), r.maxTokens());
    }
    if (!r.tools().isEmpty()) {
      ArrayNode tools = body.putArray("tools");
      for (ToolDefinition t : r.tools()) {
        ObjectNode fn = tools.addObject().put("type", "function").putObject("function");
        fn.put("name", t.name())
            .put("description", t.description())
            .set("parameters", Json.MAPPER.valueToTree(t.parameters()));
      }
    }
    toolChoice(r.toolChoice(), body);
    if (!r.stop().isEmpty()) {
      ArrayNode stop = body.putArray("stop");
      r.stop().forEach(stop::add);
    }
    if (r.seed() != null) {
      body.put("seed", r.seed());
    }
    responseFormat(r.responseFormat(), body);
    if (!r.reasoningEffort().isEmpty()) {
      if (rules.acceptsReasoningEffort()) {
        body.put("reasoning_effort", r.reasoningEffort());
      } else {
        notes.put(
            "dropped.reasoning_effort", "model " + r.model() + " does not accept reasoning_effort");
      }
    }
    if (stream) {
      body.put("stream", true);
      if (dialect.streamUsage()) {
        // Without this, OpenAI and most compatible servers send no usage on streams.
        body.putObject("stream_options").put("include_usage", true);
      }
    }
    if (!r.promptCacheKey().isEmpty()) {
      // OpenAI caches prompts by itself; the key groups requests that share a long prefix.
      body.put("prompt_cache_key", r.promptCacheKey());
    }
    r.extra().forEach((k, v) -> body.set(k, Json.MAPPER.valueToTree(v)));
    return body;
  }

  private static ObjectNode message(Message m, boolean officialOpenAi) {
    // Only OpenAI knows "developer"; compatible servers reject roles they do not know, and the
    // system role is what developer messages replaced.
    Role role = m.role() == Role.DEVELOPER && !officialOpenAi ? Role.SYSTEM : m.role();
    ObjectNode out = Json.object().put("role", role.wireName());
    if (m.images().isEmpty()) {
      out.put("content", m.content());
    } else {
      ArrayNode parts = out.putArray("content");
      if (!m.content().isEmpty()) {
        parts.addObject().put("type", "text").put("text", m.content());
      }
      for (Image image : m.images()) {
        String url =
            image instanceof Image.Inline in
                ? "data:"
                    + in.mimeType()
                    + ";base64,"
                    + Base64.getEncoder().encodeToString(in.data())
                : ((Image.Url) image).url();
        parts.addObject().put("type", "image_url").putObject("image_url").put("url", url);
      }
    }
    if (!m.name().isEmpty()) {
      out.put("name", m.name());
    }
    if (!m.toolCalls().isEmpty()) {
      ArrayNode calls = out.putArray("tool_calls");
      for (ToolCall c : m.toolCalls()) {
        calls
            .addObject()
            .put("id", c.id())
            .put("type", "function")
            .putObject("function")
            .put("name", c.name())
            .put("arguments", c.rawArguments().isEmpty() ? c.arguments() : c.rawArguments());
      }
    }
    if (!m.toolCallId().isEmpty()) {
      out.put("tool_call_id", m.toolCallId());
    }
    return out;
  }

  private static void toolChoice(ToolChoice choice, ObjectNode body) {
    if (choice instanceof ToolChoice.Named named) {
      body.putObject("tool_choice")
          .put("type", "function")
          .putObject("function")
          .put("name", named.toolName());
    } else if (choice instanceof ToolChoice.Mode mode
        && mode.kind() != ToolChoice.Mode.Kind.DEFAULT) {
      body.put("tool_choice", mode.kind().name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  private static void responseFormat(ResponseFormat format, ObjectNode body) {
    if (format instanceof ResponseFormat.JsonObject) {
      body.putObject("response_format").put("type", "json_object");
    } else if (format instanceof ResponseFormat.JsonSchema s) {
      ObjectNode schema =
          body.putObject("response_format").put("type", "json_schema").putObject("json_schema");
      schema
          .put("name", s.name())
          .put("strict", s.strict())
          .set("schema", Json.MAPPER.valueToTree(s.schema()));
    }
  }
}
