package dev.providergateway.provider.anthropic;

import static dev.providergateway.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.testing.Requests;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.CacheControl;
import dev.providergateway.v1.CacheTtl;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.Message;
import dev.providergateway.v1.ResponseFormat;
import dev.providergateway.v1.StreamChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Prompt caching and structured outputs on the Anthropic wire, end to end: breakpoints on system
 * text, messages and tools become {@code cache_control} (with TTL), cache reads and writes come
 * back in {@code Usage}; {@code json_schema} becomes the native {@code output_format} on models
 * that have it (with its beta header) and stays an instruction elsewhere, flagged either way; the
 * optional schema check reports its result; {@code include_raw} returns the upstream body.
 */
class AnthropicCachingAndStructuredOutputTest {
  private static final String SCHEMA =
      "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":\"integer\"}},"
          + "\"required\":[\"name\",\"age\"],\"additionalProperties\":false}";

  private final FakeUpstream upstream = FakeUpstream.start();
  private final TestGateway gateway =
      new TestGateway(
          ConfigLoader.parse(
              """
      providers:
        - name: claude
          type: anthropic
          base_url: %s
          api_key: sk-ant-test-key-123456
          default_model: claude-sonnet-4-5
      """
                  .formatted(upstream.baseUri()),
              Map.of()));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
    upstream.close();
  }

  private static String answer(String text, String usage) {
    return """
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
         "content":[{"type":"text","text":%s}],"stop_reason":"end_turn","stop_sequence":null,
         "usage":%s}
        """
        .formatted(dev.providergateway.provider.http.Json.write(text), usage);
  }

  private static CacheControl ttl(CacheTtl ttl) {
    return CacheControl.newBuilder().setTtl(ttl).build();
  }

  @Test
  void chat_cacheBreakpoints_sentAsCacheControlAndCacheTokensInUsage() throws Exception {
    upstream.enqueue(
        Response.json(
            200,
            answer(
                "Done.",
                "{\"input_tokens\":21,\"cache_creation_input_tokens\":188086,"
                    + "\"cache_read_input_tokens\":1200,\"output_tokens\":393}")));

    CompletionResponse response =
        gateway
            .blocking()
            .chat(
                dev.providergateway.v1.ChatRequest.newBuilder()
                    .setProvider("claude")
                    .addMessages(
                        Message.newBuilder()
                            .setRole("system")
                            .setContent("You analyse literary works.")
                            .setCacheControl(ttl(CacheTtl.CACHE_TTL_1H)))
                    .addMessages(
                        Message.newBuilder()
                            .setRole("user")
                            .setContent("<the entire text of Pride and Prejudice>")
                            .setCacheControl(CacheControl.getDefaultInstance()))
                    .addMessages(
                        Message.newBuilder().setRole("user").setContent("Analyse the themes."))
                    .addTools(
                        Requests.weatherTool().toBuilder()
                            .setCacheControl(ttl(CacheTtl.CACHE_TTL_5M)))
                    .build());

    assertThat(response.getUsage().getCacheWriteTokens()).isEqualTo(188086);
    assertThat(response.getUsage().getCacheReadTokens()).isEqualTo(1200);
    assertThat(response.getUsage().getPromptTokens()).isEqualTo(21 + 188086 + 1200);
    var body = upstream.takeRequest().json();
    var system = body.path("system").get(0);
    assertThat(system.path("text").asText()).isEqualTo("You analyse literary works.");
    assertThat(system.path("cache_control").path("type").asText()).isEqualTo("ephemeral");
    assertThat(system.path("cache_control").path("ttl").asText()).isEqualTo("1h");
    var content = body.path("messages").get(0).path("content");
    assertThat(content).hasSize(2);
    assertThat(content.get(0).path("cache_control").path("type").asText()).isEqualTo("ephemeral");
    assertThat(content.get(0).path("cache_control").has("ttl")).isFalse();
    assertThat(content.get(1).has("cache_control")).isFalse();
    var tool = body.path("tools").get(0);
    assertThat(tool.path("cache_control").path("ttl").asText()).isEqualTo("5m");
  }

  @Test
  void chat_jsonSchemaOnModelWithStructuredOutputs_nativeOutputFormatWithBetaHeader()
      throws Exception {
    upstream.enqueue(
        Response.json(
            200,
            answer("{\"name\":\"Ada\",\"age\":36}", "{\"input_tokens\":9,\"output_tokens\":5}")));

    CompletionResponse response =
        gateway
            .blocking()
            .chat(
                chat("claude", "Who wrote the first program?")
                    .setModel("claude-sonnet-4-5")
                    .setResponseFormat(jsonSchema())
                    .setCheckSchema(true)
                    .build());

    assertThat(response.getMetadataMap())
        .containsEntry("structured_output", "native")
        .containsEntry("schema_check", "valid");
    var sent = upstream.takeRequest();
    assertThat(sent.header("anthropic-beta")).isEqualTo("structured-outputs-2025-11-13");
    var format = sent.json().path("output_format");
    assertThat(format.path("type").asText()).isEqualTo("json_schema");
    assertThat(format.path("schema").path("required").get(1).asText()).isEqualTo("age");
    assertThat(sent.json().has("system")).isFalse();
  }

  @Test
  void chat_jsonSchemaOnOlderModel_emulatedFlaggedAndInvalidAnswerReported() throws Exception {
    upstream.enqueue(
        Response.json(
            200,
            answer(
                "```json\n{\"name\":\"Ada\",\"age\":\"thirty-six\"}\n```",
                "{\"input_tokens\":9,\"output_tokens\":5}")));

    CompletionResponse response =
        gateway
            .blocking()
            .chat(
                chat("claude", "Who wrote the first program?")
                    .setModel("claude-3-5-haiku-latest")
                    .setResponseFormat(jsonSchema())
                    .setCheckSchema(true)
                    .build());

    assertThat(response.getMetadataMap()).containsEntry("structured_output", "emulated");
    assertThat(response.getMetadataMap().get("schema_check"))
        .startsWith("invalid: ")
        .contains("/age")
        .contains("integer");
    var sent = upstream.takeRequest();
    assertThat(sent.header("anthropic-beta")).isNull();
    assertThat(sent.json().has("output_format")).isFalse();
    assertThat(sent.json().path("system").get(0).path("text").asText()).contains("JSON Schema");
  }

  @Test
  void chat_checkSchemaOnProse_reportedNotJson() {
    upstream.enqueue(
        Response.json(
            200, answer("Ada Lovelace, aged 36.", "{\"input_tokens\":9,\"output_tokens\":5}")));

    CompletionResponse response =
        gateway
            .blocking()
            .chat(
                chat("claude", "Who?")
                    .setModel("claude-3-5-haiku-latest")
                    .setResponseFormat(jsonSchema())
                    .setCheckSchema(true)
                    .build());

    assertThat(response.getMetadataMap().get("schema_check")).startsWith("not_json: ");
  }

  @Test
  void chat_schemaWithRemoteRef_notCheckedAndNothingFetched() {
    upstream.enqueue(
        Response.json(
            200, answer("{\"name\":\"Ada\"}", "{\"input_tokens\":9,\"output_tokens\":5}")));
    String remote =
        "{\"type\":\"object\",\"properties\":{\"x\":{\"$ref\":\""
            + upstream.baseUri()
            + "/s.json\"}}}";

    CompletionResponse response =
        gateway
            .blocking()
            .chat(
                chat("claude", "Who?")
                    .setModel("claude-3-5-haiku-latest")
                    .setResponseFormat(
                        ResponseFormat.newBuilder()
                            .setJsonSchema(
                                ResponseFormat.JsonSchemaFormat.newBuilder()
                                    .setName("person")
                                    .setSchema(Requests.struct(remote))))
                    .setCheckSchema(true)
                    .build());

    assertThat(response.getMetadataMap().get("schema_check")).startsWith("not_checked: ");
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void stream_checkSchema_finalChunkSaysNotChecked() {
    upstream.enqueue(
        Response.sse(
            List.of(
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n",
                "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"{}\"}}\n\n",
                "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
                "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}\n\n",
                "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")));
    List<StreamChunk> chunks = new ArrayList<>();

    gateway.blocking().stream(
            chat("claude", "x").setResponseFormat(jsonSchema()).setCheckSchema(true).build())
        .forEachRemaining(chunks::add);

    assertThat(chunks.get(chunks.size() - 1).getMetadataMap().get("schema_check"))
        .startsWith("not_checked: ");
  }

  @Test
  void chat_includeRaw_returnsTheUpstreamBodyOnlyWhenAsked() {
    upstream.enqueue(
        Response.json(200, answer("Hi.", "{\"input_tokens\":9,\"output_tokens\":5}")),
        Response.json(200, answer("Hi.", "{\"input_tokens\":9,\"output_tokens\":5}")));

    CompletionResponse raw =
        gateway.blocking().chat(chat("claude", "x").setIncludeRaw(true).build());
    CompletionResponse plain = gateway.blocking().chat(chat("claude", "x").build());

    assertThat(raw.getRawResponse())
        .contains("\"id\":\"msg_01\"")
        .contains("\"stop_reason\":\"end_turn\"");
    assertThat(plain.getRawResponse()).isEmpty();
  }

  private static ResponseFormat jsonSchema() {
    return ResponseFormat.newBuilder()
        .setJsonSchema(
            ResponseFormat.JsonSchemaFormat.newBuilder()
                .setName("person")
                .setSchema(Requests.struct(SCHEMA)))
        .build();
  }
}
