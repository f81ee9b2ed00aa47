package dev.providergateway.examples.chatlines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.Image;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.ResponseFormat;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.ToolChoice;
import dev.providergateway.provider.ToolDefinition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The request side of the adapter: fields, tools and tool choice in chat-lines' shape. */
class ChatLinesRequestMapperTest {
  private static final ToolDefinition WEATHER =
      new ToolDefinition("get_weather", "Weather", Map.of("type", "object"));
  private final Map<String, String> notes = new LinkedHashMap<>();

  private static ChatRequest.Builder request() {
    return ChatRequest.builder("lines-1")
        .addMessage(Message.of(Role.SYSTEM, "Be terse."))
        .addMessage(Message.of(Role.DEVELOPER, "No emoji."))
        .addMessage(Message.of(Role.USER, "hi"));
  }

  @Test
  void requestBody_samplingAndSystemMessages_mappedToChatLinesNames() {
    JsonNode body =
        ChatLinesRequestMapper.requestBody(
            request()
                .temperature(0.2)
                .topP(0.9)
                .maxTokens(64)
                .seed(7L)
                .stop(List.of("END"))
                .build(),
            true,
            notes);

    assertThat(body.path("setup").asText()).isEqualTo("Be terse.\n\nNo emoji.");
    assertThat(body.path("prompt")).hasSize(1);
    assertThat(body.path("prompt").get(0).path("from").asText()).isEqualTo("human");
    assertThat(body.path("heat").asDouble()).isEqualTo(0.2);
    assertThat(body.path("nucleus").asDouble()).isEqualTo(0.9);
    assertThat(body.path("limit").asInt()).isEqualTo(64);
    assertThat(body.path("seed").asLong()).isEqualTo(7);
    assertThat(body.path("halt").get(0).asText()).isEqualTo("END");
    assertThat(body.path("stream").asBoolean()).isTrue();
    assertThat(notes).isEmpty();
  }

  @Test
  void requestBody_toolChoiceVariants_mustCall() {
    JsonNode auto =
        ChatLinesRequestMapper.requestBody(request().tools(List.of(WEATHER)).build(), false, notes);
    JsonNode required =
        ChatLinesRequestMapper.requestBody(
            request()
                .tools(List.of(WEATHER))
                .toolChoice(new ToolChoice.Mode(ToolChoice.Mode.Kind.REQUIRED))
                .build(),
            false,
            notes);
    JsonNode named =
        ChatLinesRequestMapper.requestBody(
            request()
                .tools(List.of(WEATHER))
                .toolChoice(new ToolChoice.Named("get_weather"))
                .build(),
            false,
            notes);

    assertThat(auto.path("toolbox").get(0).path("input_schema").path("type").asText())
        .isEqualTo("object");
    assertThat(auto.has("must_call")).isFalse();
    assertThat(required.path("must_call").asText()).isEqualTo("any");
    assertThat(named.path("must_call").asText()).isEqualTo("get_weather");
  }

  @Test
  void requestBody_toolChoiceNone_toolsNotSentAndNoted() {
    JsonNode body =
        ChatLinesRequestMapper.requestBody(
            request()
                .tools(List.of(WEATHER))
                .toolChoice(new ToolChoice.Mode(ToolChoice.Mode.Kind.NONE))
                .build(),
            false,
            notes);

    assertThat(body.has("toolbox")).isFalse();
    assertThat(notes).containsKey("adjusted.tool_choice");
  }

  @Test
  void requestBody_unsupportedOptions_droppedWithNotes() {
    ChatLinesRequestMapper.requestBody(
        request().responseFormat(new ResponseFormat.JsonObject()).reasoningEffort("high").build(),
        false,
        notes);

    assertThat(notes).containsKeys("dropped.response_format", "dropped.reasoning_effort");
  }

  @Test
  void requestBody_extra_passedThroughButReservedRefused() {
    JsonNode body =
        ChatLinesRequestMapper.requestBody(
            request().extra(Map.of("style", "formal")).build(), false, notes);

    assertThat(body.path("style").asText()).isEqualTo("formal");
    assertThatThrownBy(
            () ->
                ChatLinesRequestMapper.requestBody(
                    request().extra(Map.of("prompt", "x")).build(), false, notes))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("extra.prompt");
  }

  @Test
  void requestBody_image_refusedNamingTheField() {
    Message withImage =
        new Message(
            Role.USER,
            "what is this?",
            "",
            List.of(),
            "",
            List.of(new Image.Url("https://example.com/cat.png", "image/png")));

    assertThatThrownBy(
            () ->
                ChatLinesRequestMapper.requestBody(
                    ChatRequest.builder("lines-1").addMessage(withImage).build(), false, notes))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("messages[0].images");
  }
}
