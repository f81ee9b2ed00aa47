package dev.providergateway.provider.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.Image;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.ResponseFormat;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.ToolChoice;
import dev.providergateway.provider.ToolDefinition;
import java.io.IOException;
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
  static JsonSerializable requestBody(
      ChatRequest r, boolean stream, Dialect dialect, Map<String, String> notes) {
    for (String key : r.extra().keySet()) {
      if (RESERVED_EXTRA.contains(key)) {
        throw InvalidRequestException.of(
            "extra." + key, "is set by the gateway and cannot be passed through");
      }
    }
    OpenAiModels.Rules rules = dialect.rules();
    if (r.temperature() != null && !rules.acceptsSampling()) {
      notes.put("dropped.temperature", "model " + r.model() + " does not accept temperature");
    }
    if (r.topP() != null && !rules.acceptsSampling()) {
      notes.put("dropped.top_p", "model " + r.model() + " does not accept top_p");
    }
    if (!r.reasoningEffort().isEmpty() && !rules.acceptsReasoningEffort()) {
      notes.put(
          "dropped.reasoning_effort", "model " + r.model() + " does not accept reasoning_effort");
    }
    return new Body(r, stream, dialect);
  }

  /**
   * The body, written with Jackson's streaming generator when the transport serializes it (no
   * {@code ObjectNode} tree). A parameter that {@code extra} also names is left to {@code extra},
   * which is written last, so {@code extra} overrides as documented.
   */
  private record Body(ChatRequest r, boolean stream, Dialect dialect) implements JsonSerializable {
    @Override
    public void serialize(JsonGenerator g, SerializerProvider values) throws IOException {
      OpenAiModels.Rules rules = dialect.rules();
      Map<String, Object> extra = r.extra();
      g.writeStartObject();
      g.writeStringField("model", r.model());
      g.writeArrayFieldStart("messages");
      for (Message m : r.messages()) {
        message(g, m, dialect.officialOpenAi());
      }
      g.writeEndArray();
      if (r.temperature() != null && rules.acceptsSampling() && own("temperature")) {
        g.writeNumberField("temperature", r.temperature());
      }
      if (r.topP() != null && rules.acceptsSampling() && own("top_p")) {
        g.writeNumberField("top_p", r.topP());
      }
      if (r.maxTokens() != null && own(rules.maxTokensField())) {
        g.writeNumberField(rules.maxTokensField(), r.maxTokens());
      }
      if (!r.tools().isEmpty() && own("tools")) {
        g.writeArrayFieldStart("tools");
        for (ToolDefinition t : r.tools()) {
          g.writeStartObject();
          g.writeStringField("type", "function");
          g.writeObjectFieldStart("function");
          g.writeStringField("name", t.name());
          g.writeStringField("description", t.description());
          g.writeFieldName("parameters");
          values.defaultSerializeValue(t.parameters(), g);
          g.writeEndObject();
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      if (own("tool_choice")) {
        toolChoice(g, r.toolChoice());
      }
      if (!r.stop().isEmpty() && own("stop")) {
        g.writeArrayFieldStart("stop");
        for (String stop : r.stop()) {
          g.writeString(stop);
        }
        g.writeEndArray();
      }
      if (r.seed() != null && own("seed")) {
        g.writeFieldName("seed");
        values.defaultSerializeValue(r.seed(), g);
      }
      if (own("response_format")) {
        responseFormat(g, values, r.responseFormat());
      }
      if (!r.reasoningEffort().isEmpty()
          && rules.acceptsReasoningEffort()
          && own("reasoning_effort")) {
        g.writeStringField("reasoning_effort", r.reasoningEffort());
      }
      if (stream) {
        g.writeBooleanField("stream", true);
        if (dialect.streamUsage() && own("stream_options")) {
          // Without this, OpenAI and most compatible servers send no usage on streams.
          g.writeObjectFieldStart("stream_options");
          g.writeBooleanField("include_usage", true);
          g.writeEndObject();
        }
      }
      if (!r.promptCacheKey().isEmpty() && own("prompt_cache_key")) {
        // OpenAI caches prompts by itself; the key groups requests that share a long prefix.
        g.writeStringField("prompt_cache_key", r.promptCacheKey());
      }
      for (Map.Entry<String, Object> e : extra.entrySet()) {
        g.writeFieldName(e.getKey());
        values.defaultSerializeValue(e.getValue(), g);
      }
      g.writeEndObject();
    }

    private boolean own(String field) {
      return !r.extra().containsKey(field);
    }

    @Override
    public void serializeWithType(JsonGenerator g, SerializerProvider values, TypeSerializer type)
        throws IOException {
      serialize(g, values);
    }
  }

  private static void message(JsonGenerator g, Message m, boolean officialOpenAi)
      throws IOException {
    // Only OpenAI knows "developer"; compatible servers reject roles they do not know, and the
    // system role is what developer messages replaced.
    Role role = m.role() == Role.DEVELOPER && !officialOpenAi ? Role.SYSTEM : m.role();
    g.writeStartObject();
    g.writeStringField("role", role.wireName());
    if (m.images().isEmpty()) {
      g.writeStringField("content", m.content());
    } else {
      g.writeArrayFieldStart("content");
      if (!m.content().isEmpty()) {
        g.writeStartObject();
        g.writeStringField("type", "text");
        g.writeStringField("text", m.content());
        g.writeEndObject();
      }
      for (Image image : m.images()) {
        String url =
            image instanceof Image.Inline in
                ? "data:"
                    + in.mimeType()
                    + ";base64,"
                    + Base64.getEncoder().encodeToString(in.data())
                : ((Image.Url) image).url();
        g.writeStartObject();
        g.writeStringField("type", "image_url");
        g.writeObjectFieldStart("image_url");
        g.writeStringField("url", url);
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    if (!m.name().isEmpty()) {
      g.writeStringField("name", m.name());
    }
    if (!m.toolCalls().isEmpty()) {
      g.writeArrayFieldStart("tool_calls");
      for (ToolCall c : m.toolCalls()) {
        g.writeStartObject();
        g.writeStringField("id", c.id());
        g.writeStringField("type", "function");
        g.writeObjectFieldStart("function");
        g.writeStringField("name", c.name());
        g.writeStringField(
            "arguments", c.rawArguments().isEmpty() ? c.arguments() : c.rawArguments());
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    if (!m.toolCallId().isEmpty()) {
      g.writeStringField("tool_call_id", m.toolCallId());
    }
    g.writeEndObject();
  }

  private static void toolChoice(JsonGenerator g, ToolChoice choice) throws IOException {
    if (choice instanceof ToolChoice.Named named) {
      g.writeObjectFieldStart("tool_choice");
      g.writeStringField("type", "function");
      g.writeObjectFieldStart("function");
      g.writeStringField("name", named.toolName());
      g.writeEndObject();
      g.writeEndObject();
    } else if (choice instanceof ToolChoice.Mode mode
        && mode.kind() != ToolChoice.Mode.Kind.DEFAULT) {
      g.writeStringField("tool_choice", mode.kind().name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  private static void responseFormat(
      JsonGenerator g, SerializerProvider values, ResponseFormat format) throws IOException {
    if (format instanceof ResponseFormat.JsonObject) {
      g.writeObjectFieldStart("response_format");
      g.writeStringField("type", "json_object");
      g.writeEndObject();
    } else if (format instanceof ResponseFormat.JsonSchema s) {
      g.writeObjectFieldStart("response_format");
      g.writeStringField("type", "json_schema");
      g.writeObjectFieldStart("json_schema");
      g.writeStringField("name", s.name());
      g.writeBooleanField("strict", s.strict());
      g.writeFieldName("schema");
      values.defaultSerializeValue(s.schema(), g);
      g.writeEndObject();
      g.writeEndObject();
    }
  }
}
