package dev.providergateway.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.Image;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.ReasoningBlock;
import dev.providergateway.provider.ResponseFormat;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.ToolChoice;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.http.Json;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The request body: contents, roles, function responses, signatures, config, tools. */
class GeminiRequestMapperTest {
  private static final ToolDefinition WEATHER =
      new ToolDefinition(
          "get_weather",
          "Weather",
          Map.of(
              "type",
              "object",
              "properties",
              Map.of("city", Map.of("type", "string")),
              "required",
              List.of("city")));

  static GeminiSettings settings(boolean responseJsonSchema) {
    return new GeminiSettings(
        URI.create("https://generativelanguage.googleapis.com"),
        "v1beta",
        true,
        responseJsonSchema);
  }

  private final Map<String, String> notes = new LinkedHashMap<>();

  private JsonNode body(ChatRequest request) {
    return GeminiRequestMapper.requestBody(request, settings(false), notes);
  }

  private static ChatRequest.Builder request(Message... messages) {
    return ChatRequest.builder("gemini-2.5-flash").messages(List.of(messages));
  }

  private static JsonNode json(String text) {
    return Json.tryParse(text.replace('\'', '"'));
  }

  @Test
  void requestBody_systemAndDeveloperMessages_becomeSystemInstructionNotContents() {
    JsonNode body =
        body(
            request(
                    Message.of(Role.SYSTEM, "Be brief."),
                    Message.of(Role.USER, "hi"),
                    Message.of(Role.DEVELOPER, "Answer in French."))
                .build());

    assertThat(body.path("systemInstruction"))
        .isEqualTo(json("{'parts':[{'text':'Be brief.'},{'text':'Answer in French.'}]}"));
    assertThat(body.path("contents")).isEqualTo(json("[{'role':'user','parts':[{'text':'hi'}]}]"));
  }

  @Test
  void requestBody_consecutiveSameRoleTurns_merged() {
    JsonNode body =
        body(
            request(
                    Message.of(Role.USER, "one"),
                    Message.of(Role.USER, "two"),
                    Message.of(Role.ASSISTANT, "three"),
                    Message.of(Role.ASSISTANT, "four"),
                    Message.of(Role.USER, "five"))
                .build());

    assertThat(body.path("contents"))
        .isEqualTo(
            json(
                "[{'role':'user','parts':[{'text':'one'},{'text':'two'}]},"
                    + "{'role':'model','parts':[{'text':'three'},{'text':'four'}]},{'role':'user','parts':[{'text':'five'}]}]"));
  }

  @Test
  void requestBody_parallelToolResults_oneUserTurnOfFunctionResponsesNamedByCallId() {
    JsonNode body =
        body(
            request(
                    Message.of(Role.USER, "weather and time?"),
                    Message.assistant(
                        "",
                        List.of(
                            ToolCall.of("call_0", "get_weather", "{\"city\":\"Paris\"}"),
                            ToolCall.of("call_1", "get_time", "{\"tz\":\"Europe/Paris\"}"))),
                    Message.toolResult("call_1", "{\"time\":\"12:00\"}"),
                    Message.toolResult("call_0", "[1,2]"),
                    Message.of(Role.USER, "thanks"))
                .build());

    assertThat(body.at("/contents/2"))
        .isEqualTo(
            json(
                "{'role':'user','parts':["
                    + "{'functionResponse':{'name':'get_time','response':{'time':'12:00'}}},"
                    + "{'functionResponse':{'name':'get_weather','response':{'result':[1,2]}}},{'text':'thanks'}]}"));
  }

  @Test
  void requestBody_repeatedGeneratedIds_toolResultAnswersTheLatestCall() {
    JsonNode body =
        body(
            request(
                    Message.of(Role.USER, "go"),
                    Message.assistant("", List.of(ToolCall.of("call_0", "first_tool", "{}"))),
                    Message.toolResult("call_0", "a"),
                    Message.assistant("", List.of(ToolCall.of("call_0", "second_tool", "{}"))),
                    Message.toolResult("call_0", "b"))
                .build());

    assertThat(body.at("/contents/4/parts/0/functionResponse/name").asText())
        .isEqualTo("second_tool");
  }

  @Test
  void requestBody_geminiIssuedCallId_roundTripsOnCallAndResponse() {
    JsonNode body =
        body(
            request(
                    Message.of(Role.USER, "go"),
                    Message.assistant(
                        "", List.of(ToolCall.of("fc-7f3a", "get_weather", "{\"city\":\"Paris\"}"))),
                    Message.toolResult("fc-7f3a", "sunny"))
                .build());

    assertThat(body.at("/contents/1/parts/0/functionCall/id").asText()).isEqualTo("fc-7f3a");
    assertThat(body.at("/contents/2/parts/0/functionResponse/id").asText()).isEqualTo("fc-7f3a");
  }

  @Test
  void requestBody_toolResultWithoutMatchingCall_rejectedNamingTheField() {
    ChatRequest r = request(Message.of(Role.USER, "go"), Message.toolResult("call_9", "x")).build();

    InvalidRequestException e = catchThrowableOfType(() -> body(r), InvalidRequestException.class);

    assertThat(e.violations().get(0).field()).isEqualTo("messages[1].tool_call_id");
  }

  @Test
  void requestBody_assistantReasoningAndSignatures_eachBackOnItsPart() {
    Message assistant =
        new Message(
            Role.ASSISTANT,
            "Checking.",
            "",
            List.of(
                ToolCall.of("call_0", "get_weather", "{\"city\":\"Paris\"}")
                    .withSignature("sig-call-0"),
                ToolCall.of("call_1", "get_time", "{}")),
            "",
            List.of(),
            List.of(
                new ReasoningBlock("Need weather.", "sig-thought", false),
                new ReasoningBlock("", "sig-text", false),
                new ReasoningBlock("opaque", "", true)));

    JsonNode body = body(request(Message.of(Role.USER, "go"), assistant).build());

    assertThat(body.at("/contents/1"))
        .isEqualTo(
            json(
                "{'role':'model','parts':["
                    + "{'text':'Need weather.','thought':true,'thoughtSignature':'sig-thought'},"
                    + "{'text':'Checking.','thoughtSignature':'sig-text'},"
                    + "{'functionCall':{'name':'get_weather','args':{'city':'Paris'}},'thoughtSignature':'sig-call-0'},"
                    + "{'functionCall':{'name':'get_time','args':{}}}]}"));
  }

  @Test
  void requestBody_textSignatureWithoutText_notSentBecauseGeminiRejectsEmptyText() {
    Message assistant =
        new Message(
            Role.ASSISTANT,
            "",
            "",
            List.of(ToolCall.of("call_0", "get_weather", "{}")),
            "",
            List.of(),
            List.of(new ReasoningBlock("", "sig-text", false)));

    JsonNode body = body(request(Message.of(Role.USER, "go"), assistant).build());

    assertThat(body.at("/contents/1/parts")).hasSize(1);
    assertThat(body.at("/contents/1/parts/0").has("text")).isFalse();
  }

  @Test
  void requestBody_images_inlineDataForBytesAndDataUrlsFileDataForUrls() {
    Message user =
        new Message(
            Role.USER,
            "what is this?",
            "",
            List.of(),
            "",
            List.of(
                new Image.Inline("image/png", "png".getBytes(StandardCharsets.UTF_8)),
                new Image.Url("data:image/jpeg;base64,/9j/4AAQ", ""),
                new Image.Url("https://example.com/cat.webp", "image/webp")));

    JsonNode body = body(request(user).build());

    assertThat(body.at("/contents/0/parts"))
        .isEqualTo(
            json(
                "[{'text':'what is this?'},"
                    + "{'inlineData':{'mimeType':'image/png','data':'cG5n'}},{'inlineData':{'mimeType':'image/jpeg','data':'/9j/4AAQ'}},"
                    + "{'fileData':{'mimeType':'image/webp','fileUri':'https://example.com/cat.webp'}}]"));
  }

  @Test
  void requestBody_samplingAndJsonSchema_inGenerationConfig() {
    JsonNode body =
        body(
            request(Message.of(Role.USER, "hi"))
                .temperature(0.2)
                .topP(0.9)
                .maxTokens(256)
                .stop(List.of("END"))
                .seed(42L)
                .responseFormat(
                    new ResponseFormat.JsonSchema(
                        "answer",
                        Map.of(
                            "type",
                            "object",
                            "additionalProperties",
                            false,
                            "properties",
                            Map.of("a", Map.of("type", "string"))),
                        true))
                .build());

    assertThat(body.path("generationConfig"))
        .isEqualTo(
            json(
                "{'temperature':0.2,'topP':0.9,'maxOutputTokens':256,"
                    + "'stopSequences':['END'],'seed':42,'responseMimeType':'application/json',"
                    + "'responseSchema':{'type':'OBJECT','properties':{'a':{'type':'STRING'}}},'thinkingConfig':{'includeThoughts':true}}"));
  }

  @Test
  void requestBody_responseJsonSchemaOption_sendsSchemaUntouched() {
    ChatRequest r =
        request(Message.of(Role.USER, "hi"))
            .responseFormat(
                new ResponseFormat.JsonSchema(
                    "a", Map.of("type", "object", "additionalProperties", false), true))
            .build();

    JsonNode body = GeminiRequestMapper.requestBody(r, settings(true), notes);

    assertThat(body.at("/generationConfig/responseJsonSchema"))
        .isEqualTo(json("{'type':'object','additionalProperties':false}"));
    assertThat(body.at("/generationConfig").has("responseSchema")).isFalse();
  }

  @Test
  void requestBody_invalidResponseSchema_rejectedNamingTheField() {
    ChatRequest r =
        request(Message.of(Role.USER, "hi"))
            .responseFormat(
                new ResponseFormat.JsonSchema(
                    "a",
                    Map.of("type", "object", "properties", Map.of("t", Map.of("type", "array"))),
                    true))
            .build();

    InvalidRequestException e = catchThrowableOfType(() -> body(r), InvalidRequestException.class);

    assertThat(e.violations().get(0).field())
        .isEqualTo("response_format.json_schema.schema.properties.t");
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "gemini-2.5-flash,low,'{\"thinkingBudget\":1024,\"includeThoughts\":true}'",
    "gemini-2.5-pro,high,'{\"thinkingBudget\":24576,\"includeThoughts\":true}'",
    "gemini-2.5-flash,none,'{\"thinkingBudget\":0,\"includeThoughts\":true}'",
    "gemini-2.5-flash,2048,'{\"thinkingBudget\":2048,\"includeThoughts\":true}'",
    "gemini-3-pro-preview,high,'{\"thinkingLevel\":\"high\",\"includeThoughts\":true}'",
    "gemini-3-flash-preview,none,'{\"thinkingLevel\":\"minimal\",\"includeThoughts\":true}'",
    "gemini-3-pro-preview,'','{\"includeThoughts\":true}'"
  })
  void requestBody_reasoningEffort_thinkingBudgetOrLevelPerFamily(
      String model, String effort, String expected) {
    JsonNode body =
        body(
            ChatRequest.builder(model)
                .addMessage(Message.of(Role.USER, "hi"))
                .reasoningEffort(effort)
                .build());

    assertThat(body.at("/generationConfig/thinkingConfig")).isEqualTo(Json.tryParse(expected));
  }

  @Test
  void requestBody_effortForModelThatCannotThink_droppedWithNote() {
    JsonNode body =
        body(
            ChatRequest.builder("gemini-2.0-flash")
                .addMessage(Message.of(Role.USER, "hi"))
                .reasoningEffort("high")
                .build());

    assertThat(body.has("generationConfig")).isFalse();
    assertThat(notes).containsKey("dropped.reasoning_effort");
  }

  @Test
  void requestBody_unknownEffort_rejected() {
    ChatRequest r = request(Message.of(Role.USER, "hi")).reasoningEffort("extreme").build();

    assertThat(
            catchThrowableOfType(() -> body(r), InvalidRequestException.class)
                .violations()
                .get(0)
                .field())
        .isEqualTo("reasoning_effort");
  }

  @Test
  void requestBody_tools_functionDeclarationsAndParameterlessToolWithoutSchema() {
    ToolDefinition ping =
        new ToolDefinition("ping", "Ping", Map.of("type", "object", "properties", Map.of()));

    JsonNode body =
        body(request(Message.of(Role.USER, "hi")).tools(List.of(WEATHER, ping)).build());

    assertThat(body.path("tools"))
        .isEqualTo(
            json(
                "[{'functionDeclarations':["
                    + "{'name':'get_weather','description':'Weather','parameters':{'type':'OBJECT','properties':{'city':{'type':'STRING'}},"
                    + "'required':['city']}},{'name':'ping','description':'Ping'}]}]"));
    assertThat(body.has("toolConfig")).isFalse();
  }

  @Test
  void requestBody_invalidToolSchema_rejectedWithToolIndexInPath() {
    ToolDefinition bad =
        new ToolDefinition(
            "tree",
            "Tree",
            Map.of(
                "type",
                "object",
                "properties",
                Map.of(
                    "x",
                    Map.of(
                        "type",
                        "object",
                        "patternProperties",
                        Map.of("^a", Map.of("type", "string"))))));

    InvalidRequestException e =
        catchThrowableOfType(
            () -> body(request(Message.of(Role.USER, "hi")).tools(List.of(WEATHER, bad)).build()),
            InvalidRequestException.class);

    assertThat(e.violations().get(0).field())
        .isEqualTo("tools[1].parameters.properties.x.patternProperties");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "AUTO,'{\"mode\":\"AUTO\"}'",
    "NONE,'{\"mode\":\"NONE\"}'",
    "REQUIRED,'{\"mode\":\"ANY\"}'",
    "NAMED,'{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_weather\"]}'"
  })
  void requestBody_toolChoice_functionCallingConfigMode(String kind, String expected) {
    ToolChoice choice =
        kind.equals("NAMED")
            ? new ToolChoice.Named("get_weather")
            : new ToolChoice.Mode(ToolChoice.Mode.Kind.valueOf(kind));

    JsonNode body =
        body(
            request(Message.of(Role.USER, "hi"))
                .tools(List.of(WEATHER))
                .toolChoice(choice)
                .build());

    assertThat(body.at("/toolConfig/functionCallingConfig")).isEqualTo(Json.tryParse(expected));
  }

  @Test
  void requestBody_extra_setOnBodyAndMergedIntoGenerationConfig() {
    Map<String, Object> extra = new HashMap<>();
    extra.put("generationConfig", Map.of("topK", 40));
    extra.put(
        "safetySettings",
        List.of(Map.of("category", "HARM_CATEGORY_HARASSMENT", "threshold", "BLOCK_NONE")));

    JsonNode body =
        body(request(Message.of(Role.USER, "hi")).temperature(0.5).extra(extra).build());

    assertThat(body.at("/generationConfig/topK").asInt()).isEqualTo(40);
    assertThat(body.at("/generationConfig/temperature").asDouble()).isEqualTo(0.5);
    assertThat(body.at("/safetySettings/0/threshold").asText()).isEqualTo("BLOCK_NONE");
  }
}
