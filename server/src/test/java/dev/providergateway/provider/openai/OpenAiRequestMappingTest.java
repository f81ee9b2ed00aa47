package dev.providergateway.provider.openai;

import static dev.providergateway.provider.openai.OpenAiFixtures.chat;
import static dev.providergateway.provider.openai.OpenAiFixtures.context;
import static dev.providergateway.provider.openai.OpenAiFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Image;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ResponseFormat;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolChoice;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.testing.EventCollector;
import dev.providergateway.provider.testing.FakeUpstream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the OpenAI family sends upstream: parameter rules per model and server, and every request
 * feature.
 */
class OpenAiRequestMappingTest {
  private final FakeUpstream upstream = FakeUpstream.start();

  @AfterEach
  void stop() {
    upstream.close();
  }

  private JsonNode sentByChat(Provider provider, ChatRequest request) throws Exception {
    upstream.enqueue(OpenAiFixtures.text("ok"));
    chat(provider, request);
    return upstream.takeRequest().json();
  }

  private static ToolDefinition tool(String name) {
    return new ToolDefinition(name, "a tool", Map.of("type", "object", "properties", Map.of()));
  }

  @Test
  void chat_reasoningModelOnOpenAi_dropsSamplingRenamesMaxTokensAndNotes() throws Exception {
    upstream.enqueue(OpenAiFixtures.text("ok"));

    CompletionResponse r =
        chat(
            OpenAiFixtures.official(upstream.baseUri()),
            request("o3-mini", "hi")
                .temperature(0.2)
                .topP(0.9)
                .maxTokens(100)
                .reasoningEffort("low")
                .build());

    JsonNode body = upstream.takeRequest().json();
    assertThat(body.has("temperature")).isFalse();
    assertThat(body.has("top_p")).isFalse();
    assertThat(body.has("max_tokens")).isFalse();
    assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(100);
    assertThat(body.path("reasoning_effort").asText()).isEqualTo("low");
    assertThat(r.metadata()).containsKeys("dropped.temperature", "dropped.top_p");
    assertThat(r.metadata().get("dropped.temperature")).contains("o3-mini");
  }

  @Test
  void stream_reasoningModelOnOpenAi_notesReachResponseInfo() throws Exception {
    upstream.enqueue(OpenAiFixtures.streamedText());

    EventCollector events =
        EventCollector.of(
            OpenAiFixtures.official(upstream.baseUri()).stream(
                request("gpt-5-mini", "hi").temperature(0.2).maxTokens(64).build(), context()));

    assertThat(events.await()).isNull();
    assertThat(events.events.get(0))
        .isInstanceOfSatisfying(
            StreamEvent.ResponseInfo.class,
            info -> assertThat(info.metadata()).containsKey("dropped.temperature"));
    JsonNode body = upstream.takeRequest().json();
    assertThat(body.has("temperature")).isFalse();
    assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(64);
  }

  @Test
  void chat_gpt4oOnOpenAi_keepsSamplingUsesMaxCompletionTokensDropsReasoningEffort()
      throws Exception {
    upstream.enqueue(OpenAiFixtures.text("ok"));

    CompletionResponse r =
        chat(
            OpenAiFixtures.official(upstream.baseUri()),
            request("gpt-4o", "hi")
                .temperature(0.2)
                .maxTokens(100)
                .reasoningEffort("high")
                .build());

    JsonNode body = upstream.takeRequest().json();
    assertThat(body.path("temperature").asDouble()).isEqualTo(0.2);
    assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(100);
    assertThat(body.has("max_tokens")).isFalse();
    assertThat(body.has("reasoning_effort")).isFalse();
    assertThat(r.metadata()).containsKey("dropped.reasoning_effort");
  }

  @Test
  void chat_gpt4oOnCompatibleServer_usesMaxTokens() throws Exception {
    JsonNode body =
        sentByChat(
            OpenAiFixtures.preset("openai", upstream.baseUri()),
            request("gpt-4o", "hi")
                .temperature(0.2)
                .maxTokens(100)
                .reasoningEffort("high")
                .build());

    assertThat(body.path("max_tokens").asInt()).isEqualTo(100);
    assertThat(body.has("max_completion_tokens")).isFalse();
    assertThat(body.path("temperature").asDouble()).isEqualTo(0.2);
    assertThat(body.path("reasoning_effort").asText()).isEqualTo("high");
  }

  @Test
  void chat_reasoningModelViaOpenRouter_dropsSamplingKeepsMaxTokens() throws Exception {
    JsonNode body =
        sentByChat(
            OpenAiFixtures.preset("openrouter", upstream.baseUri()),
            request("openai/o3-mini", "hi").temperature(0.2).maxTokens(100).build());

    assertThat(body.has("temperature")).isFalse();
    assertThat(body.path("max_tokens").asInt()).isEqualTo(100);
  }

  @Test
  void chat_images_sentAsContentPartsAfterText() throws Exception {
    byte[] png = "png-bytes".getBytes(StandardCharsets.UTF_8);
    Message user =
        new Message(
            Role.USER,
            "what is this?",
            "",
            List.of(),
            "",
            List.of(
                new Image.Inline("image/png", png),
                new Image.Url("https://example.com/cat.jpg", "")));

    JsonNode content =
        sentByChat(
                OpenAiFixtures.preset("openai", upstream.baseUri()),
                ChatRequest.builder("gpt-4o").addMessage(user).build())
            .path("messages")
            .get(0)
            .path("content");

    assertThat(content).hasSize(3);
    assertThat(content.get(0))
        .isEqualTo(Json.tryParse("{\"type\":\"text\",\"text\":\"what is this?\"}"));
    assertThat(content.get(1).path("image_url").path("url").asText())
        .isEqualTo("data:image/png;base64,cG5nLWJ5dGVz");
    assertThat(content.get(2).path("image_url").path("url").asText())
        .isEqualTo("https://example.com/cat.jpg");
  }

  @Test
  void chat_namedToolChoice_sentAsFunctionObject() throws Exception {
    JsonNode body =
        sentByChat(
            OpenAiFixtures.preset("openai", upstream.baseUri()),
            request("m", "hi")
                .tools(List.of(tool("a"), tool("b")))
                .toolChoice(new ToolChoice.Named("b"))
                .build());

    assertThat(body.path("tool_choice"))
        .isEqualTo(Json.tryParse("{\"type\":\"function\",\"function\":{\"name\":\"b\"}}"));
    assertThat(body.path("tools").get(1).path("function").path("name").asText()).isEqualTo("b");
  }

  @Test
  void chat_requiredToolChoice_sentAsString() throws Exception {
    JsonNode body =
        sentByChat(
            OpenAiFixtures.preset("openai", upstream.baseUri()),
            request("m", "hi")
                .tools(List.of(tool("a")))
                .toolChoice(new ToolChoice.Mode(ToolChoice.Mode.Kind.REQUIRED))
                .build());

    assertThat(body.path("tool_choice").asText()).isEqualTo("required");
  }

  @Test
  void chat_defaultToolChoice_omitted() throws Exception {
    JsonNode body =
        sentByChat(
            OpenAiFixtures.preset("openai", upstream.baseUri()),
            request("m", "hi").tools(List.of(tool("a"))).build());

    assertThat(body.has("tool_choice")).isFalse();
  }

  @Test
  void chat_jsonSchemaResponseFormat_sentWithNameStrictAndSchema() throws Exception {
    Map<String, Object> schema =
        Map.of("type", "object", "properties", Map.of("n", Map.of("type", "integer")));

    JsonNode body =
        sentByChat(
            OpenAiFixtures.preset("openai", upstream.baseUri()),
            request("m", "hi")
                .responseFormat(new ResponseFormat.JsonSchema("answer", schema, true))
                .build());

    JsonNode format = body.path("response_format");
    assertThat(format.path("type").asText()).isEqualTo("json_schema");
    assertThat(format.path("json_schema").path("name").asText()).isEqualTo("answer");
    assertThat(format.path("json_schema").path("strict").asBoolean()).isTrue();
    assertThat(format.path("json_schema").path("schema"))
        .isEqualTo(Json.MAPPER.valueToTree(schema));
  }

  @Test
  void chat_extra_passedThroughVerbatim() throws Exception {
    JsonNode body =
        sentByChat(
            OpenAiFixtures.preset("openrouter", upstream.baseUri()),
            request("m", "hi")
                .extra(
                    Map.of(
                        "logprobs",
                        true,
                        "provider",
                        Map.of("order", List.of("groq")),
                        "parallel_tool_calls",
                        false))
                .build());

    assertThat(body.path("logprobs").asBoolean()).isTrue();
    assertThat(body.path("provider").path("order").get(0).asText()).isEqualTo("groq");
    assertThat(body.path("parallel_tool_calls").asBoolean(true)).isFalse();
  }

  @Test
  void chat_extraReplacingStreamMode_invalidRequestNamingTheKey() {
    Throwable t =
        catchThrowable(
            () ->
                OpenAiFixtures.preset("openai", upstream.baseUri())
                    .chat(request("m", "hi").extra(Map.of("stream", true)).build(), context()));

    assertThat(t)
        .isInstanceOfSatisfying(
            InvalidRequestException.class,
            e ->
                assertThat(e.violations())
                    .extracting(InvalidRequestException.FieldViolation::field)
                    .containsExactly("extra.stream"));
    assertThat(upstream.pendingRequests()).isZero();
  }

  @Test
  void chat_stopAndSeed_sent() throws Exception {
    JsonNode body =
        sentByChat(
            OpenAiFixtures.preset("openai", upstream.baseUri()),
            request("m", "hi").stop(List.of("END")).seed(7L).build());

    assertThat(body.path("stop").get(0).asText()).isEqualTo("END");
    assertThat(body.path("seed").asLong()).isEqualTo(7);
    assertThat(body.has("stream")).isFalse();
  }

  @Test
  void stream_compatibleServer_asksForUsage() throws Exception {
    upstream.enqueue(OpenAiFixtures.streamedText());

    EventCollector events =
        EventCollector.of(
            OpenAiFixtures.preset("vllm", upstream.baseUri()).stream(
                request("m", "hi").build(), context()));

    assertThat(events.await()).isNull();
    JsonNode body = upstream.takeRequest().json();
    assertThat(body.path("stream").asBoolean()).isTrue();
    assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
  }

  @Test
  void stream_mistral_omitsStreamOptions() throws Exception {
    upstream.enqueue(OpenAiFixtures.streamedText());

    EventCollector events =
        EventCollector.of(
            OpenAiFixtures.preset("mistral", upstream.baseUri()).stream(
                request("mistral-small-latest", "hi").build(), context()));

    assertThat(events.await()).isNull();
    JsonNode body = upstream.takeRequest().json();
    assertThat(body.path("stream").asBoolean()).isTrue();
    assertThat(body.has("stream_options")).isFalse();
  }

  @Test
  void chat_developerRole_systemOnCompatibleServersDeveloperOnOpenAi() throws Exception {
    ChatRequest request =
        ChatRequest.builder("gpt-4o")
            .addMessage(Message.of(Role.DEVELOPER, "be brief"))
            .addMessage(Message.of(Role.USER, "hi"))
            .build();

    JsonNode compatible = sentByChat(OpenAiFixtures.preset("groq", upstream.baseUri()), request);
    JsonNode official = sentByChat(OpenAiFixtures.official(upstream.baseUri()), request);

    assertThat(compatible.path("messages").get(0).path("role").asText()).isEqualTo("system");
    assertThat(official.path("messages").get(0).path("role").asText()).isEqualTo("developer");
  }

  @Test
  void chat_anyPreset_sendsBearerKeyToChatCompletions() throws Exception {
    upstream.enqueue(OpenAiFixtures.text("ok"));

    chat(
        OpenAiFixtures.preset("deepseek", upstream.baseUri()),
        request("deepseek-chat", "hi").build());

    var sent = upstream.takeRequest();
    assertThat(sent.method()).isEqualTo("POST");
    assertThat(sent.path()).isEqualTo("/v1/chat/completions");
    assertThat(sent.header("authorization")).isEqualTo("Bearer " + OpenAiFixtures.KEY);
    assertThat(sent.header("x-request-id")).isEqualTo("req-1");
  }
}
