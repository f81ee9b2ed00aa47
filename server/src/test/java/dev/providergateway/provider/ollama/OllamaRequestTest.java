package dev.providergateway.provider.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Image;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ResponseFormat;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.ToolChoice;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.testing.EventCollector;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.TestTransport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the provider sends to Ollama's {@code /api/chat}, checked on the wire. */
class OllamaRequestTest {
  private static final String ANSWER =
      "{\"model\":\"m\",\"created_at\":\"2025-01-01T00:00:00Z\","
          + "\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"done_reason\":\"stop\",\"done\":true,"
          + "\"prompt_eval_count\":1,\"eval_count\":1}";
  private static final ToolDefinition WEATHER =
      new ToolDefinition("get_weather", "Weather", Map.of("type", "object"));
  private static final ToolDefinition TIME =
      new ToolDefinition("get_time", "Time", Map.of("type", "object"));

  private final FakeUpstream upstream = FakeUpstream.start();
  private Provider provider = provider(Map.of(), null);

  @AfterEach
  void stop() {
    provider.close();
    upstream.close();
  }

  private Provider provider(Map<String, Object> options, String apiKey) {
    return new OllamaProviderFactory()
        .create(
            TestTransport.settings("ollama-test", "ollama")
                .baseUrl(upstream.baseUri().toString())
                .apiKey(apiKey)
                .options(options)
                .build());
  }

  private JsonNode sent(ChatRequest request) throws Exception {
    upstream.enqueue(Response.json(200, ANSWER));
    provider.chat(request, new CallContext("req-1", null)).get(10, TimeUnit.SECONDS);
    FakeUpstream.RecordedRequest recorded = upstream.takeRequest();
    assertThat(recorded.path()).isEqualTo("/api/chat");
    return recorded.json();
  }

  private static ChatRequest.Builder ask(String model) {
    return ChatRequest.builder(model).addMessage(Message.of(Role.USER, "hi"));
  }

  @Test
  void chat_samplingParameters_goIntoOptions() throws Exception {
    JsonNode body =
        sent(
            ask("llama3.2")
                .temperature(0.2)
                .topP(0.9)
                .seed(42L)
                .stop(List.of("\n\n", "user:"))
                .maxTokens(100)
                .build());

    assertThat(body.path("model").asText()).isEqualTo("llama3.2");
    assertThat(body.path("stream").asBoolean(true)).isFalse();
    assertThat(body.path("options"))
        .isEqualTo(
            Json.tryParse(
                "{\"temperature\":0.2,\"top_p\":0.9,\"seed\":42,\"stop\":[\"\\n\\n\",\"user:\"],\"num_predict\":100}"));
    assertThat(body.has("temperature")).isFalse();
    assertThat(body.has("max_tokens")).isFalse();
  }

  @Test
  void chat_nothingOptionalSet_sendsOnlyModelMessagesAndStream() throws Exception {
    JsonNode body = sent(ask("llama3.2").build());

    assertThat(body)
        .isEqualTo(
            Json.tryParse(
                "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false}"));
  }

  @Test
  void chat_images_sentAsBareBase64() throws Exception {
    byte[] png = "fake-png-bytes".getBytes(StandardCharsets.UTF_8);
    Message m =
        new Message(
            Role.USER,
            "what is this?",
            "",
            List.of(),
            "",
            List.of(
                new Image.Inline("image/png", png),
                new Image.Url("data:image/jpeg;base64,AAEC", "image/jpeg")));

    JsonNode body = sent(ChatRequest.builder("llava").addMessage(m).build());

    JsonNode images = body.path("messages").get(0).path("images");
    assertThat(images.get(0).asText()).isEqualTo("ZmFrZS1wbmctYnl0ZXM=");
    assertThat(images.get(1).asText()).isEqualTo("AAEC");
  }

  @Test
  void chat_imageLink_invalidRequestNamingTheImage() {
    Message m =
        new Message(
            Role.USER,
            "x",
            "",
            List.of(),
            "",
            List.of(new Image.Url("https://example.com/cat.png", "")));

    assertThatThrownBy(
            () ->
                provider.chat(
                    ChatRequest.builder("llava").addMessage(m).build(), new CallContext("r", null)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("messages[0].images[0]");
  }

  @Test
  void chat_toolResults_carryToolNameOfTheirCall() throws Exception {
    JsonNode body =
        sent(
            ask("qwen3")
                .tools(List.of(WEATHER, TIME))
                .addMessage(
                    Message.assistant(
                        "",
                        List.of(
                            ToolCall.of("call_0", "get_weather", "{\"city\":\"Paris\"}"),
                            ToolCall.of("call_1", "get_time", "{}"))))
                .addMessage(Message.toolResult("call_1", "12:00"))
                .addMessage(Message.toolResult("call_0", "sunny"))
                // Ids restart with every response; a later turn's call_0 is another call.
                .addMessage(
                    Message.assistant(
                        "", List.of(ToolCall.of("call_0", "get_time", "{\"tz\":\"UTC\"}"))))
                .addMessage(Message.toolResult("call_0", "10:00"))
                .addMessage(
                    new Message(
                        Role.TOOL, "legacy", "get_weather", List.of(), "unknown-id", List.of()))
                .build());

    JsonNode messages = body.path("messages");
    assertThat(messages.get(1).path("tool_calls").get(0))
        .isEqualTo(
            Json.tryParse(
                "{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}}"));
    assertThat(messages.get(2).path("tool_name").asText()).isEqualTo("get_time");
    assertThat(messages.get(3).path("tool_name").asText()).isEqualTo("get_weather");
    assertThat(messages.get(5).path("tool_name").asText()).isEqualTo("get_time");
    assertThat(messages.get(6).path("tool_name").asText()).isEqualTo("get_weather");
    assertThat(body.path("tools").get(1))
        .isEqualTo(
            Json.tryParse(
                "{\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"description\":\"Time\",\"parameters\":{\"type\":\"object\"}}}"));
  }

  @Test
  void chat_developerAndFunctionRoles_mappedToOllamaRoles() throws Exception {
    JsonNode body =
        sent(
            ChatRequest.builder("m")
                .addMessage(Message.of(Role.DEVELOPER, "be brief"))
                .addMessage(new Message(Role.FUNCTION, "42", "answer", List.of(), "", List.of()))
                .build());

    assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
    assertThat(body.path("messages").get(1).path("role").asText()).isEqualTo("tool");
    assertThat(body.path("messages").get(1).path("tool_name").asText()).isEqualTo("answer");
  }

  @Test
  void chat_jsonObjectFormat_sendsFormatJson() throws Exception {
    assertThat(
            sent(ask("m").responseFormat(new ResponseFormat.JsonObject()).build())
                .path("format")
                .asText())
        .isEqualTo("json");
  }

  @Test
  void chat_jsonSchemaFormat_sendsTheSchemaAsFormat() throws Exception {
    Map<String, Object> schema =
        Map.of("type", "object", "properties", Map.of("age", Map.of("type", "integer")));

    JsonNode body =
        sent(
            ask("m").responseFormat(new ResponseFormat.JsonSchema("person", schema, true)).build());

    assertThat(body.path("format")).isEqualTo(Json.MAPPER.valueToTree(schema));
  }

  @Test
  void chat_extra_topLevelFieldsStayTopLevelAndTheRestAreOptions() throws Exception {
    JsonNode body =
        sent(
            ask("m")
                .maxTokens(10)
                .extra(
                    Map.of(
                        "num_ctx",
                        8192L,
                        "top_k",
                        40L,
                        "num_predict",
                        20L,
                        "keep_alive",
                        "30m",
                        "think",
                        "medium",
                        "format",
                        "json",
                        "options",
                        Map.of("mirostat", 1L)))
                .build());

    assertThat(body.path("options"))
        .isEqualTo(
            Json.tryParse("{\"num_predict\":20,\"num_ctx\":8192,\"top_k\":40,\"mirostat\":1}"));
    assertThat(body.path("keep_alive").asText()).isEqualTo("30m");
    assertThat(body.path("think").asText()).isEqualTo("medium");
    assertThat(body.path("format").asText()).isEqualTo("json");
  }

  @Test
  void chat_extraStream_invalidRequest() {
    assertThatThrownBy(
            () ->
                provider.chat(
                    ask("m").extra(Map.of("stream", true)).build(), new CallContext("r", null)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("extra.stream");
  }

  @Test
  void chat_providerOptions_defaultsThatTheRequestOverrides() throws Exception {
    provider.close();
    provider =
        provider(
            Map.of(
                "keep_alive", "1h", "model_options", Map.of("num_ctx", 32768L, "temperature", 0.8)),
            null);

    JsonNode body = sent(ask("m").temperature(0.1).build());

    assertThat(body.path("keep_alive").asText()).isEqualTo("1h");
    assertThat(body.path("options").path("num_ctx").asInt()).isEqualTo(32768);
    assertThat(body.path("options").path("temperature").asDouble()).isEqualTo(0.1);
  }

  @Test
  void chat_apiKeyAndHeaders_sentWithTheRequest() throws Exception {
    provider.close();
    provider = provider(Map.of("headers", Map.of("x-team", "agents")), "ollama-key-123");
    upstream.enqueue(Response.json(200, ANSWER));

    provider.chat(ask("m").build(), new CallContext("req-9", null)).get(10, TimeUnit.SECONDS);

    FakeUpstream.RecordedRequest r = upstream.takeRequest();
    assertThat(r.header("authorization")).isEqualTo("Bearer ollama-key-123");
    assertThat(r.header("x-team")).isEqualTo("agents");
    assertThat(r.header("x-request-id")).isEqualTo("req-9");
  }

  @Test
  void chat_toolChoiceNone_sendsNoToolsAndSaysSo() throws Exception {
    upstream.enqueue(Response.json(200, ANSWER));

    CompletionResponse r =
        provider
            .chat(
                ask("m")
                    .tools(List.of(WEATHER))
                    .toolChoice(new ToolChoice.Mode(ToolChoice.Mode.Kind.NONE))
                    .build(),
                new CallContext("r", null))
            .get(10, TimeUnit.SECONDS);

    assertThat(upstream.takeRequest().json().has("tools")).isFalse();
    assertThat(r.metadata()).containsKey("adjusted.tool_choice");
  }

  @Test
  void chat_namedToolChoice_offersOnlyThatTool() throws Exception {
    JsonNode body =
        sent(
            ask("m")
                .tools(List.of(WEATHER, TIME))
                .toolChoice(new ToolChoice.Named("get_time"))
                .build());

    assertThat(body.path("tools")).hasSize(1);
    assertThat(body.path("tools").get(0).path("function").path("name").asText())
        .isEqualTo("get_time");
  }

  @Test
  void stream_request_asksForAStream() throws Exception {
    upstream.enqueue(Response.ndjson(List.of(ANSWER)));

    EventCollector events =
        EventCollector.of(provider.stream(ask("m").build(), new CallContext("r", null)));

    assertThat(events.await()).isNull();
    assertThat(upstream.takeRequest().json().path("stream").asBoolean(false)).isTrue();
  }
}
