package dev.providergateway.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.ResponseFormat;
import dev.providergateway.provider.ToolChoice;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.http.Json;
import java.util.Map;
import java.util.Set;

/**
 * Builds the Messages API request body ({@code POST /v1/messages}) from a {@link ChatRequest}.
 * Where Anthropic has no equivalent or narrower rules, the request is adapted and a note saying so
 * goes into the response metadata:
 *
 * <ul>
 *   <li>{@code max_tokens} is required by Anthropic: the provider's default (4096, as Victor's)
 *       when unset, kept above a thinking budget (see {@link AnthropicThinking});
 *   <li>{@code temperature} above 1 (Anthropic's maximum) is sent as 1; with extended thinking
 *       {@code temperature} is dropped and {@code top_p} below 0.95 too, as Anthropic rejects them;
 *       with both set, {@code top_p} is dropped, as newer Claude models reject the pair;
 *   <li>{@code response_format} {@code json_schema} on a model with native structured outputs
 *       ({@link AnthropicModels#nativeStructuredOutput}) becomes {@code output_format}, noted as
 *       {@code structured_output: native}; otherwise (and for {@code json_object}, which Anthropic
 *       lacks) an instruction to answer with only a JSON object (matching the schema, if given) is
 *       appended to {@code system}, noted as {@code structured_output: emulated};
 *   <li>cache breakpoints on messages and tools become {@code cache_control} on the block or tool
 *       they end on ({@link AnthropicMessages#cacheControl});
 *   <li>{@code seed} does not exist on Anthropic and is dropped.
 * </ul>
 *
 * <p>{@code extra} entries are set on the top-level body last, so they can add or override any
 * parameter except the ones the gateway owns ({@code model}, {@code messages}, {@code stream}).
 */
final class AnthropicRequestMapper {
  private static final Set<String> RESERVED = Set.of("model", "messages", "stream");

  private AnthropicRequestMapper() {}

  /** The request body; {@code notes} collects parameters dropped or adapted for Anthropic. */
  static ObjectNode body(
      ChatRequest r, boolean stream, int defaultMaxTokens, Map<String, String> notes) {
    for (String key : r.extra().keySet()) {
      if (RESERVED.contains(key)) {
        throw InvalidRequestException.of(
            "extra." + key, "is set by the gateway and cannot be overridden");
      }
    }
    ObjectNode body = Json.object();
    body.put("model", r.model());
    AnthropicMessages.Conversation conversation = AnthropicMessages.map(r.messages());
    ArrayNode system = conversation.system();
    if (AnthropicModels.nativeStructuredOutput(r)) {
      var schema = (ResponseFormat.JsonSchema) r.responseFormat();
      body.putObject("output_format")
          .put("type", "json_schema")
          .set("schema", Json.MAPPER.valueToTree(schema.schema()));
      notes.put("structured_output", "native");
    } else {
      String instruction = formatInstruction(r.responseFormat());
      if (!instruction.isEmpty()) {
        system.add(AnthropicMessages.text(instruction));
        notes.put("structured_output", "emulated");
        notes.put(
            "emulated.response_format",
            r.responseFormat() instanceof ResponseFormat.JsonSchema
                ? "this model has no native structured outputs; the model was instructed in the"
                    + " system prompt"
                : "Anthropic has no JSON mode; the model was instructed in the system prompt");
      }
    }
    if (!system.isEmpty()) {
      body.set("system", system);
    }
    body.set("messages", conversation.messages());
    JsonNode thinking = AnthropicThinking.of(r, notes);
    body.put(
        "max_tokens",
        AnthropicThinking.maxTokens(r.maxTokens(), thinking, defaultMaxTokens, notes));
    if (thinking != null) {
      body.set("thinking", thinking);
    }
    sampling(r, AnthropicThinking.enabled(thinking), body, notes);
    if (!r.stop().isEmpty()) {
      ArrayNode stop = body.putArray("stop_sequences");
      r.stop().forEach(stop::add);
    }
    if (!r.tools().isEmpty()) {
      ArrayNode tools = body.putArray("tools");
      for (ToolDefinition t : r.tools()) {
        ObjectNode tool =
            tools
                .addObject()
                .put("name", t.name())
                .put("description", t.description())
                .set("input_schema", Json.MAPPER.valueToTree(t.parameters()));
        AnthropicMessages.cached(tool, t.cacheControl());
      }
    }
    toolChoice(r.toolChoice(), body);
    if (r.seed() != null) {
      notes.put("dropped.seed", "Anthropic has no seed parameter");
    }
    if (stream) {
      body.put("stream", true);
    }
    r.extra().forEach((k, v) -> body.set(k, Json.MAPPER.valueToTree(v)));
    return body;
  }

  /** What {@code POST /v1/messages/count_tokens} accepts of a Messages request body. */
  private static final Set<String> COUNTED =
      Set.of("model", "messages", "system", "tools", "tool_choice", "thinking", "output_format");

  /**
   * The {@code count_tokens} body for {@code r}: the Messages body of the same request, less the
   * fields the counting endpoint does not take (sampling, {@code max_tokens}, {@code stream}).
   */
  static ObjectNode countBody(ChatRequest r, int defaultMaxTokens) {
    ObjectNode body = body(r, false, defaultMaxTokens, new java.util.LinkedHashMap<>());
    body.retain(COUNTED);
    return body;
  }

  private static void sampling(
      ChatRequest r, boolean thinking, ObjectNode body, Map<String, String> notes) {
    Double temperature = r.temperature();
    if (temperature != null) {
      if (thinking) {
        notes.put(
            "dropped.temperature", "Anthropic does not accept temperature with extended thinking");
      } else if (temperature > 1.0) {
        body.put("temperature", 1.0);
        notes.put(
            "adjusted.temperature",
            "Anthropic's range is 0 to 1; " + temperature + " was sent as 1.0");
      } else {
        body.put("temperature", temperature);
      }
    }
    Double topP = r.topP();
    if (topP != null) {
      if (thinking && topP < 0.95) {
        notes.put(
            "dropped.top_p", "with extended thinking Anthropic accepts top_p from 0.95 to 1 only");
      } else if (body.has("temperature")) {
        notes.put(
            "dropped.top_p",
            "newer Claude models reject temperature and top_p together; temperature was kept");
      } else {
        body.put("top_p", topP);
      }
    }
  }

  private static void toolChoice(ToolChoice choice, ObjectNode body) {
    if (choice instanceof ToolChoice.Named named) {
      body.putObject("tool_choice").put("type", "tool").put("name", named.toolName());
      return;
    }
    switch (((ToolChoice.Mode) choice).kind()) {
      case AUTO -> body.putObject("tool_choice").put("type", "auto");
      case NONE -> body.putObject("tool_choice").put("type", "none");
      case REQUIRED -> body.putObject("tool_choice").put("type", "any");
      case DEFAULT -> {}
    }
  }

  private static String formatInstruction(ResponseFormat format) {
    if (format instanceof ResponseFormat.JsonObject) {
      return "Respond with a single valid JSON object and nothing else: no prose, no code fences.";
    }
    if (format instanceof ResponseFormat.JsonSchema s) {
      return "Respond with a single valid JSON object and nothing else (no prose, no code fences). It must"
          + " conform to this JSON Schema"
          + (s.name().isEmpty() ? "" : " named " + s.name())
          + ":\n"
          + Json.write(s.schema());
    }
    return "";
  }
}
