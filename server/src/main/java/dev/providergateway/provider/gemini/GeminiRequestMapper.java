package dev.providergateway.provider.gemini;

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

/**
 * Builds the body of a {@code generateContent} / {@code streamGenerateContent} request: the
 * conversation ({@link GeminiContents}), {@code generationConfig}, {@code tools} with their schemas
 * converted by {@link GeminiSchema}, and {@code toolConfig}. Stateless.
 *
 * <p>{@code extra} entries are set on the body as they are, after everything else, so they can add
 * fields the gateway does not model ({@code safetySettings}, {@code cachedContent}, ...); an {@code
 * extra.generationConfig} object is merged field by field into the generated one.
 */
final class GeminiRequestMapper {
  private GeminiRequestMapper() {}

  /** The request body; {@code notes} collects parameters dropped for this model. */
  static ObjectNode requestBody(ChatRequest r, GeminiSettings settings, Map<String, String> notes) {
    ObjectNode body = Json.object();
    GeminiContents contents = GeminiContents.of(r.messages());
    body.set("contents", contents.contents());
    if (!contents.system().isEmpty()) {
      body.putObject("systemInstruction").set("parts", contents.system());
    }
    if (!r.tools().isEmpty()) {
      ArrayNode declarations = body.putArray("tools").addObject().putArray("functionDeclarations");
      for (int i = 0; i < r.tools().size(); i++) {
        declarations.add(declaration(r.tools().get(i), "tools[" + i + "]"));
      }
      toolConfig(r.toolChoice(), body);
    }
    ObjectNode config = generationConfig(r, settings, notes);
    if (!config.isEmpty()) {
      body.set("generationConfig", config);
    }
    if (!r.cachedContent().isEmpty()) {
      // An explicit cache the caller created (cachedContents/...): its prefix is not re-sent.
      body.put("cachedContent", r.cachedContent());
    }
    r.extra()
        .forEach(
            (key, value) -> {
              JsonNode node = Json.MAPPER.valueToTree(value);
              if (key.equals("generationConfig") && node.isObject() && body.has(key)) {
                ((ObjectNode) body.get(key)).setAll((ObjectNode) node);
              } else {
                body.set(key, node);
              }
            });
    return body;
  }

  private static ObjectNode declaration(ToolDefinition tool, String path) {
    ObjectNode fn = Json.object().put("name", tool.name()).put("description", tool.description());
    ObjectNode parameters = GeminiSchema.convert(tool.parameters(), path + ".parameters");
    // Gemini rejects an OBJECT schema with no properties ("should be non-empty for OBJECT
    // type"); a tool without parameters is declared without a schema.
    if (parameters.path("properties").size() > 0 || parameters.has("anyOf")) {
      fn.set("parameters", parameters);
    }
    return fn;
  }

  private static void toolConfig(ToolChoice choice, ObjectNode body) {
    ObjectNode config = Json.object();
    if (choice instanceof ToolChoice.Named named) {
      config.put("mode", "ANY").putArray("allowedFunctionNames").add(named.toolName());
    } else if (choice instanceof ToolChoice.Mode mode) {
      switch (mode.kind()) {
        case AUTO -> config.put("mode", "AUTO");
        case NONE -> config.put("mode", "NONE");
        case REQUIRED -> config.put("mode", "ANY");
        case DEFAULT -> {
          return;
        }
      }
    }
    body.putObject("toolConfig").set("functionCallingConfig", config);
  }

  private static ObjectNode generationConfig(
      ChatRequest r, GeminiSettings settings, Map<String, String> notes) {
    ObjectNode config = Json.object();
    if (r.temperature() != null) {
      config.put("temperature", r.temperature());
    }
    if (r.topP() != null) {
      config.put("topP", r.topP());
    }
    if (r.maxTokens() != null) {
      config.put("maxOutputTokens", r.maxTokens());
    }
    if (!r.stop().isEmpty()) {
      ArrayNode stop = config.putArray("stopSequences");
      r.stop().forEach(stop::add);
    }
    if (r.seed() != null) {
      if (r.seed() < Integer.MIN_VALUE || r.seed() > Integer.MAX_VALUE) {
        throw InvalidRequestException.of("seed", r.seed() + " does not fit Gemini's 32-bit seed");
      }
      config.put("seed", r.seed().intValue());
    }
    if (r.responseFormat() instanceof ResponseFormat.JsonObject) {
      config.put("responseMimeType", "application/json");
    } else if (r.responseFormat() instanceof ResponseFormat.JsonSchema s) {
      config.put("responseMimeType", "application/json");
      if (settings.responseJsonSchema()) {
        config.set("responseJsonSchema", Json.MAPPER.valueToTree(s.schema()));
      } else {
        config.set(
            "responseSchema",
            GeminiSchema.convert(s.schema(), "response_format.json_schema.schema"));
      }
    }
    if (!r.reasoningEffort().isEmpty() && GeminiModels.cannotThink(r.model())) {
      notes.put("dropped.reasoning_effort", "model " + r.model() + " does not think");
    }
    ObjectNode thinking =
        GeminiModels.thinkingConfig(r.model(), r.reasoningEffort(), settings.includeThoughts());
    if (thinking != null) {
      config.set("thinkingConfig", thinking);
    }
    return config;
  }
}
