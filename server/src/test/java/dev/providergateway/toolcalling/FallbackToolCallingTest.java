package dev.providergateway.toolcalling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.ToolChoice;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.Usage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FallbackToolCallingTest {
  private static final ToolDefinition WEATHER =
      new ToolDefinition(
          "get_weather",
          "Weather for a city",
          Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string"))));
  private final ToolCallingCapabilities json =
      CapabilityTable.builtIn().lookup("lmstudio", "openai", "any");
  private final ToolCallingCapabilities xml =
      new ToolCallingCapabilities(
          false,
          false,
          false,
          false,
          false,
          true,
          false,
          dev.providergateway.provider.ToolCallFormat.XML,
          "json",
          8);

  @Test
  void rewrite_toolsGoIntoSystemPromptAndFieldsAreCleared() {
    ChatRequest request =
        ChatRequest.builder("m")
            .addMessage(Message.of(Role.SYSTEM, "Be brief."))
            .addMessage(Message.of(Role.USER, "weather?"))
            .tools(List.of(WEATHER))
            .toolChoice(new ToolChoice.Named("get_weather"))
            .build();

    ChatRequest sent = FallbackToolCalling.rewrite(request, json);

    assertThat(sent.tools()).isEmpty();
    assertThat(sent.toolChoice()).isEqualTo(ToolChoice.DEFAULT);
    String system = sent.messages().get(0).content();
    assertThat(system)
        .startsWith("Be brief.")
        .contains("get_weather")
        .contains("Weather for a city")
        .contains("```json")
        .contains("\"city\"")
        .contains("You must call the tool get_weather");
    assertThat(sent.messages()).hasSize(2);
  }

  @Test
  void rewrite_noSystemMessage_addsOneFirst() {
    ChatRequest sent =
        FallbackToolCalling.rewrite(
            ChatRequest.builder("m")
                .addMessage(Message.of(Role.USER, "hi"))
                .tools(List.of(WEATHER))
                .build(),
            xml);

    assertThat(sent.messages().get(0).role()).isEqualTo(Role.SYSTEM);
    assertThat(sent.messages().get(0).content()).contains("<tool_call><name>TOOL_NAME</name>");
  }

  @Test
  void rewrite_earlierCallsAndResults_becomeText() {
    ChatRequest request =
        ChatRequest.builder("m")
            .addMessage(Message.of(Role.USER, "weather?"))
            .addMessage(
                Message.assistant(
                    "", List.of(ToolCall.of("call_0", "get_weather", "{\"city\":\"Oslo\"}"))))
            .addMessage(Message.toolResult("call_0", "sunny"))
            .tools(List.of(WEATHER))
            .build();

    ChatRequest sent = FallbackToolCalling.rewrite(request, json);

    Message assistant = sent.messages().get(2);
    assertThat(assistant.toolCalls()).isEmpty();
    assertThat(assistant.content()).contains("\"get_weather\"").contains("{\"city\":\"Oslo\"}");
    Message result = sent.messages().get(3);
    assertThat(result.role()).isEqualTo(Role.USER);
    assertThat(result.toolCallId()).isEmpty();
    assertThat(result.content()).contains("call_0").contains("sunny");
  }

  @Test
  void rewrite_toolChoiceNone_describesNoTools() {
    ChatRequest sent =
        FallbackToolCalling.rewrite(
            ChatRequest.builder("m")
                .addMessage(Message.of(Role.USER, "hi"))
                .tools(List.of(WEATHER))
                .toolChoice(new ToolChoice.Mode(ToolChoice.Mode.Kind.NONE))
                .build(),
            json);

    assertThat(sent.messages())
        .extracting(Message::content)
        .noneMatch(c -> c.contains("get_weather"));
  }

  @Test
  void parse_callInReply_becomesToolCallAndLeavesProse() {
    ChatRequest request =
        ChatRequest.builder("m")
            .addMessage(Message.of(Role.USER, "weather?"))
            .tools(List.of(WEATHER))
            .build();
    CompletionResponse reply =
        new CompletionResponse(
            "Let me check.\n```json\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n```",
            List.of(),
            StopReason.STOP,
            "stop",
            Usage.of(1, 2),
            "m",
            "",
            Map.of(),
            List.of());

    CompletionResponse parsed = FallbackToolCalling.parse(reply, request);

    assertThat(parsed.content()).isEqualTo("Let me check.");
    assertThat(parsed.toolCalls())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.name()).isEqualTo("get_weather");
              assertThat(c.arguments()).isEqualTo("{\"city\":\"Paris\"}");
            });
    assertThat(parsed.stopReason()).isEqualTo(StopReason.TOOL_CALLS);
    assertThat(parsed.metadata()).containsEntry(FallbackToolCalling.METADATA_KEY, "text");
  }

  @Test
  void parse_callOfUnknownTool_staysText() {
    ChatRequest request =
        ChatRequest.builder("m")
            .addMessage(Message.of(Role.USER, "x"))
            .tools(List.of(WEATHER))
            .build();
    String text = "<tool_call>{\"name\": \"rm_rf\", \"arguments\": {}}</tool_call>";
    CompletionResponse reply =
        new CompletionResponse(
            text, List.of(), StopReason.STOP, "stop", Usage.ZERO, "m", "", Map.of(), List.of());

    assertThat(FallbackToolCalling.parse(reply, request)).isSameAs(reply);
  }
}
