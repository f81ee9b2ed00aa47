package dev.providergateway.provider.anthropic;

import static dev.providergateway.provider.anthropic.AnthropicFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.Image;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ReasoningBlock;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the conversation is sent to {@code POST /v1/messages}, checked on the fake upstream's side.
 */
class AnthropicRequestTest {
  private final FakeUpstream upstream = FakeUpstream.start();
  private Provider provider =
      new AnthropicProviderFactory()
          .create(AnthropicFixtures.settings(upstream.baseUri(), Map.of()));

  @AfterEach
  void stop() {
    provider.close();
    upstream.close();
  }

  private RecordedRequest send(ChatRequest request) throws Exception {
    upstream.enqueue(text("ok"));
    provider.chat(request, new CallContext("req-1", null)).get(10, TimeUnit.SECONDS);
    return upstream.takeRequest();
  }

  private static ChatRequest.Builder request(Message... messages) {
    return ChatRequest.builder("claude-sonnet-4-5").messages(List.of(messages));
  }

  private static Message user(String text) {
    return Message.of(Role.USER, text);
  }

  @Test
  void chat_plainRequest_postsToV1MessagesWithAnthropicHeaders() throws Exception {
    RecordedRequest r = send(request(user("hi")).build());

    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/v1/messages");
    assertThat(r.header("x-api-key")).isEqualTo("sk-ant-test-key-123456");
    assertThat(r.header("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(r.header("anthropic-beta")).isNull();
    assertThat(r.header("authorization")).isNull();
    assertThat(r.json().path("model").asText()).isEqualTo("claude-sonnet-4-5");
    assertThat(r.json().has("stream")).isFalse();
  }

  @Test
  void chat_betaOption_sentAsAnthropicBetaHeader() throws Exception {
    provider.close();
    provider =
        new AnthropicProviderFactory()
            .create(
                AnthropicFixtures.settings(
                    upstream.baseUri(),
                    Map.of(
                        "anthropic_beta",
                        List.of("context-1m-2025-08-07", "interleaved-thinking-2025-05-14"))));

    RecordedRequest r = send(request(user("hi")).build());

    assertThat(r.header("anthropic-beta"))
        .isEqualTo("context-1m-2025-08-07,interleaved-thinking-2025-05-14");
  }

  @Test
  void chat_systemAndDeveloperMessages_liftedToTopLevelSystemInOrder() throws Exception {
    JsonNode body =
        send(request(
                    Message.of(Role.SYSTEM, "You are terse."),
                    user("hi"),
                    Message.of(Role.DEVELOPER, "Answer in French."))
                .build())
            .json();

    assertThat(body.path("system")).hasSize(2);
    assertThat(body.path("system").get(0).path("type").asText()).isEqualTo("text");
    assertThat(body.path("system").get(0).path("text").asText()).isEqualTo("You are terse.");
    assertThat(body.path("system").get(1).path("text").asText()).isEqualTo("Answer in French.");
    assertThat(body.path("messages")).hasSize(1);
    assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("user");
  }

  @Test
  void chat_consecutiveSameRoleMessages_mergedIntoAlternatingMessages() throws Exception {
    JsonNode messages =
        send(request(
                    user("first"),
                    user("second"),
                    Message.assistant("thinking out loud", List.of()),
                    Message.assistant("and more", List.of()),
                    user("third"))
                .build())
            .json()
            .path("messages");

    assertThat(messages).hasSize(3);
    assertThat(messages.get(0).path("role").asText()).isEqualTo("user");
    assertThat(messages.get(0).path("content").findValuesAsText("text"))
        .containsExactly("first", "second");
    assertThat(messages.get(1).path("role").asText()).isEqualTo("assistant");
    assertThat(messages.get(1).path("content").findValuesAsText("text"))
        .containsExactly("thinking out loud", "and more");
    assertThat(messages.get(2).path("content").findValuesAsText("text")).containsExactly("third");
  }

  @Test
  void chat_parallelToolResults_mergedIntoOneUserMessageBeforeText() throws Exception {
    JsonNode messages =
        send(request(
                    user("weather and time?"),
                    Message.assistant(
                        "Let me check.",
                        List.of(
                            ToolCall.of("toolu_a", "get_weather", "{\"city\":\"Paris\"}"),
                            ToolCall.of("toolu_b", "get_time", "{}"))),
                    Message.toolResult("toolu_a", "sunny"),
                    Message.toolResult("toolu_b", "noon"),
                    user("thanks"))
                .build())
            .json()
            .path("messages");

    assertThat(messages).hasSize(3);
    JsonNode assistant = messages.get(1).path("content");
    assertThat(assistant.get(0).path("type").asText()).isEqualTo("text");
    assertThat(assistant.get(1).path("type").asText()).isEqualTo("tool_use");
    assertThat(assistant.get(1).path("input").path("city").asText()).isEqualTo("Paris");
    assertThat(assistant.get(2).path("input").isObject()).isTrue();
    JsonNode results = messages.get(2).path("content");
    assertThat(messages.get(2).path("role").asText()).isEqualTo("user");
    assertThat(results).hasSize(3);
    assertThat(results.get(0).path("tool_use_id").asText()).isEqualTo("toolu_a");
    assertThat(results.get(0).path("content").asText()).isEqualTo("sunny");
    assertThat(results.get(1).path("tool_use_id").asText()).isEqualTo("toolu_b");
    assertThat(results.get(2).path("text").asText()).isEqualTo("thanks");
  }

  @Test
  void chat_userImages_sentAsBase64AndUrlSourcesBeforeText() throws Exception {
    byte[] png = "png-bytes".getBytes(StandardCharsets.UTF_8);
    Message m =
        new Message(
            Role.USER,
            "what is this?",
            "",
            List.of(),
            "",
            List.of(
                new Image.Inline("image/png", png),
                new Image.Url("data:image/jpeg;base64,/9j/4AAQ", ""),
                new Image.Url("https://example.com/cat.webp", "")));

    JsonNode content = send(request(m).build()).json().path("messages").get(0).path("content");

    assertThat(content).hasSize(4);
    assertThat(content.get(0).path("type").asText()).isEqualTo("image");
    assertThat(content.get(0).path("source"))
        .isEqualTo(
            Json.tryParse(
                "{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"cG5nLWJ5dGVz\"}"));
    assertThat(content.get(1).path("source"))
        .isEqualTo(
            Json.tryParse(
                "{\"type\":\"base64\",\"media_type\":\"image/jpeg\",\"data\":\"/9j/4AAQ\"}"));
    assertThat(content.get(2).path("source"))
        .isEqualTo(Json.tryParse("{\"type\":\"url\",\"url\":\"https://example.com/cat.webp\"}"));
    assertThat(content.get(3).path("text").asText()).isEqualTo("what is this?");
  }

  @Test
  void chat_dataUrlNotBase64_invalidRequestNamingImage() {
    Message m =
        new Message(
            Role.USER,
            "x",
            "",
            List.of(),
            "",
            List.of(new Image.Url("data:image/png,rawbytes", "")));

    assertThatThrownBy(() -> provider.chat(request(m).build(), new CallContext("req-1", null)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("messages[0].images[0].url");
  }

  @Test
  void chat_reasoningBlocksOnAssistant_sentFirstAsThinkingAndRedactedThinking() throws Exception {
    Message assistant =
        new Message(
            Role.ASSISTANT,
            "",
            "",
            List.of(ToolCall.of("toolu_1", "get_weather", "{\"city\":\"Paris\"}")),
            "",
            List.of(),
            List.of(
                new ReasoningBlock("Let me think.", "EqQBCgIYAhIM", false),
                new ReasoningBlock("EmwKAhgBEgy3va3pzix", "", true),
                new ReasoningBlock("unsigned, from elsewhere", "", false)));

    JsonNode content =
        send(request(user("weather?"), assistant, Message.toolResult("toolu_1", "sunny")).build())
            .json()
            .path("messages")
            .get(1)
            .path("content");

    assertThat(content).hasSize(3);
    assertThat(content.get(0))
        .isEqualTo(
            Json.tryParse(
                "{\"type\":\"thinking\",\"thinking\":\"Let me think.\",\"signature\":\"EqQBCgIYAhIM\"}"));
    assertThat(content.get(1))
        .isEqualTo(
            Json.tryParse("{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy3va3pzix\"}"));
    assertThat(content.get(2).path("type").asText()).isEqualTo("tool_use");
  }

  @Test
  void chat_functionRole_invalidRequestNamingMessage() {
    Message function = new Message(Role.FUNCTION, "42", "calc", List.of(), "", List.of());

    assertThatThrownBy(
            () -> provider.chat(request(user("hi"), function).build(), new CallContext("r", null)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("messages[1].role");
  }
}
