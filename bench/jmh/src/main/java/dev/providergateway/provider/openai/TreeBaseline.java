package dev.providergateway.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Image;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.ResponseFormat;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolArguments;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.ToolChoice;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.Usage;
import dev.providergateway.provider.http.HttpErrors;
import dev.providergateway.provider.http.Json;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The OpenAI-compatible codec as it was before issue 22 (at 7598c25), kept only as the benchmarks'
 * "before": the request built as an {@code ObjectNode} tree, responses and chunks parsed into a
 * {@code JsonNode} tree and mapped from it. Not used by the gateway.
 */
final class TreeBaseline {
  private static final Set<String> RESERVED = Set.of("model", "messages", "stream");

  private TreeBaseline() {}

  static ObjectNode requestBody(
      ChatRequest r, boolean stream, OpenAiRequestMapper.Dialect dialect, Map<String, String> notes) {
    for (String key : r.extra().keySet()) {
      if (RESERVED.contains(key)) {
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

  /** The domain response of a non-streamed completion. */
  static CompletionResponse response(JsonNode json, Origin origin, Map<String, String> notes) {
    JsonNode choice = json.path("choices").path(0);
    JsonNode message = choice.path("message");
    if (!message.isObject()) {
      throw new ProviderException.InvalidResponse(
          origin, origin.provider() + " returned no choices[0].message", null);
    }
    List<ToolCall> calls = new ArrayList<>();
    for (JsonNode c : message.path("tool_calls")) {
      JsonNode fn = c.path("function");
      calls.add(
          ToolArguments.toolCall(
              c.path("id").asText(""),
              fn.path("name").asText(""),
              fn.path("arguments").asText("")));
    }
    Map<String, String> metadata = new LinkedHashMap<>(notes);
    String refusal = message.path("refusal").asText("");
    if (!refusal.isEmpty()) {
      metadata.put("refusal", refusal);
    }
    String content = message.path("content").asText("");
    String finish = choice.path("finish_reason").asText("");
    return new CompletionResponse(
        // A refusal is the answer the caller sees, as in a stream; metadata marks it as one.
        content.isEmpty() ? refusal : content,
        calls,
        OpenAiResponseMapper.stopReason(finish, !calls.isEmpty(), !refusal.isEmpty()),
        finish,
        usage(json.path("usage")),
        json.path("model").asText(origin.model()),
        reasoning(message),
        metadata,
        List.of());
  }

  /**
   * DeepSeek, vLLM and others put reasoning in {@code reasoning_content}; some in {@code
   * reasoning}.
   */
  static String reasoning(JsonNode messageOrDelta) {
    JsonNode r = messageOrDelta.path("reasoning_content");
    if (!r.isTextual()) {
      r = messageOrDelta.path("reasoning");
    }
    return r.isTextual() ? r.asText() : "";
  }

  /**
   * Usage normalized: the family's prompt_tokens already includes cached input. Cache reads are in
   * prompt_tokens_details.cached_tokens (OpenAI and most), prompt_cache_hit_tokens (DeepSeek) or a
   * top-level cached_tokens (Moonshot).
   */
  static Usage usage(JsonNode u) {
    JsonNode cached = u.path("prompt_tokens_details").path("cached_tokens");
    if (!cached.isNumber()) {
      cached = u.path("prompt_cache_hit_tokens");
    }
    if (!cached.isNumber()) {
      cached = u.path("cached_tokens");
    }
    return new Usage(
        u.path("prompt_tokens").asInt(0),
        u.path("completion_tokens").asInt(0),
        cached.asInt(0),
        0,
        u.path("completion_tokens_details").path("reasoning_tokens").asInt(0));
  }


  /** The old stream decoder's per-chunk mapping (the tree is parsed by the caller). */
  static final class Decoder {
    private final Origin origin;
    private final StringBuilder refusal = new StringBuilder();
    private boolean sawToolCalls;

    Decoder(Origin origin) {
      this.origin = origin;
    }

  void onJson(JsonNode chunk, String data, Consumer<StreamEvent> emit) {
      if (chunk.has("error")) {
        JsonNode error = chunk.path("error");
        throw HttpErrors.fromStreamError(
            origin, error.path("type").asText(error.path("code").asText("")), data);
      }
      emit.accept(new StreamEvent.ResponseInfo(chunk.path("model").asText(""), java.util.Map.of()));
      for (JsonNode choice : chunk.path("choices")) {
        if (choice.path("index").asInt(0) != 0) {
          continue; // n > 1 (through extra) is not supported: the contract has one answer.
        }
        JsonNode delta = choice.path("delta");
        String reasoning = TreeBaseline.reasoning(delta);
        if (!reasoning.isEmpty()) {
          emit.accept(new StreamEvent.ReasoningDelta(reasoning));
        }
        String content = delta.path("content").asText("");
        if (!content.isEmpty()) {
          emit.accept(new StreamEvent.ContentDelta(content));
        }
        String refused = delta.path("refusal").asText("");
        if (!refused.isEmpty()) {
          refusal.append(refused);
          emit.accept(new StreamEvent.ContentDelta(refused));
        }
        for (JsonNode call : delta.path("tool_calls")) {
          sawToolCalls = true;
          JsonNode fn = call.path("function");
          emit.accept(
              new StreamEvent.ToolCallDelta(
                  call.path("index").asInt(0),
                  call.path("id").asText(""),
                  fn.path("name").asText(""),
                  fn.path("arguments").asText("")));
        }
        String finish = choice.path("finish_reason").asText("");
        if (!finish.isEmpty() && !finish.equals("null")) {
          emit.accept(
              new StreamEvent.Finish(
                  OpenAiResponseMapper.stopReason(finish, sawToolCalls, !refusal.isEmpty()), finish));
        }
      }
      JsonNode usage = chunk.path("usage");
      if (!usage.isObject()) {
        usage = chunk.path("x_groq").path("usage");
      }
      if (usage.isObject()) {
        emit.accept(new StreamEvent.UsageReport(TreeBaseline.usage(usage)));
      }
    }
  }
}
