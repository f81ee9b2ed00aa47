package dev.providergateway.api;

import static dev.providergateway.testing.Requests.chat;
import static dev.providergateway.testing.Requests.struct;
import static dev.providergateway.testing.Requests.user;
import static dev.providergateway.testing.Requests.weatherTool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import dev.providergateway.testing.Statuses;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.Image;
import dev.providergateway.v1.Message;
import dev.providergateway.v1.ToolCall;
import dev.providergateway.v1.ToolChoice;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Invalid requests fail with INVALID_ARGUMENT and a BadRequest violation naming the field. */
class ValidationTest {
  private final TestGateway gateway = new TestGateway();

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
  }

  static Stream<Arguments> invalidRequests() {
    Message assistantCall =
        Message.newBuilder()
            .setRole("assistant")
            .addToolCalls(
                ToolCall.newBuilder().setId("c1").setName("get_weather").setArguments("{}"))
            .build();
    return Stream.of(
        Arguments.of(
            "no messages", (UnaryOperator<ChatRequest.Builder>) b -> b.clearMessages(), "messages"),
        Arguments.of(
            "unknown role",
            (UnaryOperator<ChatRequest.Builder>)
                b -> b.addMessages(Message.newBuilder().setRole("robot")),
            "messages[1].role"),
        Arguments.of(
            "tool message without id",
            (UnaryOperator<ChatRequest.Builder>)
                b -> b.addMessages(Message.newBuilder().setRole("tool").setContent("42")),
            "messages[1].tool_call_id"),
        Arguments.of(
            "tool id that does not pair",
            (UnaryOperator<ChatRequest.Builder>)
                b ->
                    b.addMessages(assistantCall)
                        .addMessages(
                            Message.newBuilder()
                                .setRole("tool")
                                .setToolCallId("c2")
                                .setContent("42")),
            "messages[2].tool_call_id"),
        Arguments.of(
            "tool call on a user message",
            (UnaryOperator<ChatRequest.Builder>)
                b ->
                    b.addMessages(
                        user("x").toBuilder()
                            .addToolCalls(ToolCall.newBuilder().setId("c1").setName("f"))),
            "messages[1].tool_calls"),
        Arguments.of(
            "assistant tool call without id",
            (UnaryOperator<ChatRequest.Builder>)
                b ->
                    b.addMessages(
                        Message.newBuilder()
                            .setRole("assistant")
                            .addToolCalls(ToolCall.newBuilder().setName("f"))),
            "messages[1].tool_calls[0].id"),
        Arguments.of(
            "image on assistant message",
            (UnaryOperator<ChatRequest.Builder>)
                b ->
                    b.addMessages(
                        Message.newBuilder()
                            .setRole("assistant")
                            .addImages(Image.newBuilder().setUrl("https://x/y.png"))),
            "messages[1].images"),
        Arguments.of(
            "image with bad mime type",
            (UnaryOperator<ChatRequest.Builder>)
                b ->
                    b.addMessages(
                        user("look").toBuilder()
                            .addImages(
                                Image.newBuilder()
                                    .setData(ByteString.copyFromUtf8("x"))
                                    .setMimeType("text/plain"))),
            "messages[1].images[0].mime_type"),
        Arguments.of(
            "tool schema not an object",
            (UnaryOperator<ChatRequest.Builder>)
                b ->
                    b.addTools(
                        weatherTool().toBuilder().setParameters(struct("{\"type\":\"string\"}"))),
            "tools[0].parameters.type"),
        Arguments.of(
            "tool schema requires unknown property",
            (UnaryOperator<ChatRequest.Builder>)
                b ->
                    b.addTools(
                        weatherTool().toBuilder()
                            .setParameters(
                                struct(
                                    "{\"type\":\"object\",\"properties\":{},\"required\":[\"city\"]}"))),
            "tools[0].parameters.required[0]"),
        Arguments.of(
            "tool without schema",
            (UnaryOperator<ChatRequest.Builder>)
                b -> b.addTools(weatherTool().toBuilder().clearParameters()),
            "tools[0].parameters"),
        Arguments.of(
            "tool with bad name",
            (UnaryOperator<ChatRequest.Builder>)
                b -> b.addTools(weatherTool().toBuilder().setName("get weather")),
            "tools[0].name"),
        Arguments.of(
            "duplicate tool",
            (UnaryOperator<ChatRequest.Builder>)
                b -> b.addTools(weatherTool()).addTools(weatherTool()),
            "tools[1].name"),
        Arguments.of(
            "tool without description",
            (UnaryOperator<ChatRequest.Builder>)
                b -> b.addTools(weatherTool().toBuilder().setDescription("")),
            "tools[0].description"),
        Arguments.of(
            "tool choice naming unknown tool",
            (UnaryOperator<ChatRequest.Builder>)
                b ->
                    b.addTools(weatherTool())
                        .setToolChoice(ToolChoice.newBuilder().setToolName("other")),
            "tool_choice.tool_name"),
        Arguments.of(
            "required tool choice without tools",
            (UnaryOperator<ChatRequest.Builder>)
                b ->
                    b.setToolChoice(ToolChoice.newBuilder().setMode(ToolChoice.Mode.MODE_REQUIRED)),
            "tool_choice.mode"),
        Arguments.of(
            "temperature too high",
            (UnaryOperator<ChatRequest.Builder>) b -> b.setTemperature(2.5),
            "temperature"),
        Arguments.of(
            "temperature negative",
            (UnaryOperator<ChatRequest.Builder>) b -> b.setTemperature(-0.1),
            "temperature"),
        Arguments.of(
            "max_tokens zero",
            (UnaryOperator<ChatRequest.Builder>) b -> b.setMaxTokens(0),
            "max_tokens"),
        Arguments.of(
            "max_tokens too large",
            (UnaryOperator<ChatRequest.Builder>) b -> b.setMaxTokens(2_000_000),
            "max_tokens"),
        Arguments.of("top_p zero", (UnaryOperator<ChatRequest.Builder>) b -> b.setTopP(0), "top_p"),
        Arguments.of(
            "empty stop sequence",
            (UnaryOperator<ChatRequest.Builder>) b -> b.addStop(""),
            "stop[0]"),
        Arguments.of(
            "oversized request",
            (UnaryOperator<ChatRequest.Builder>)
                b -> b.addMessages(user("x".repeat(9 * 1024 * 1024))),
            "request"),
        Arguments.of(
            "bad echo knob",
            (UnaryOperator<ChatRequest.Builder>) b -> b.setExtra(struct("{\"echo_delay_ms\":-5}")),
            "extra.echo_delay_ms"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRequests")
  void chat_invalidRequest_invalidArgumentNamingField(
      String name, UnaryOperator<ChatRequest.Builder> change, String field) {
    ChatRequest request = change.apply(chat("echo", "hi")).build();

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> gateway.blocking().chat(request));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    com.google.rpc.Status status = Statuses.of(e);
    assertThat(Statuses.errorInfo(status).getReason()).isEqualTo("INVALID_REQUEST");
    assertThat(Statuses.violatedFields(status)).contains(field);
    assertThat(e.getStatus().getDescription()).contains(field);
  }

  @Test
  void stream_invalidRequest_invalidArgumentBeforeAnyChunk() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                gateway.blocking().stream(chat("echo", "hi").setTemperature(9).build())
                    .forEachRemaining(c -> {}));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(Statuses.violatedFields(Statuses.of(e))).containsExactly("temperature");
  }

  @Test
  void chat_severalProblems_reportsEveryViolation() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                gateway
                    .blocking()
                    .chat(chat("echo", "hi").setTemperature(5).setMaxTokens(-1).build()));

    assertThat(Statuses.violatedFields(Statuses.of(e)))
        .containsExactly("temperature", "max_tokens");
  }

  @Test
  void chat_validToolRoundTrip_accepted() {
    Message assistantCall =
        Message.newBuilder()
            .setRole("assistant")
            .addToolCalls(
                ToolCall.newBuilder()
                    .setId("c1")
                    .setName("get_weather")
                    .setArguments("{\"city\":\"Oslo\"}"))
            .build();
    ChatRequest request =
        chat("echo", "weather?")
            .addTools(weatherTool())
            .addMessages(assistantCall)
            .addMessages(
                Message.newBuilder().setRole("tool").setToolCallId("c1").setContent("sunny"))
            .build();

    assertThat(gateway.blocking().chat(request).getContent()).isEqualTo("sunny");
  }

  @Test
  void chat_toolResultWithoutCall_namesTheResultAndTheKnownIds() {
    ChatRequest request =
        chat("echo", "weather?")
            .addTools(weatherTool())
            .addMessages(
                Message.newBuilder()
                    .setRole("assistant")
                    .addToolCalls(ToolCall.newBuilder().setId("c1").setName("get_weather")))
            .addMessages(
                Message.newBuilder().setRole("tool").setToolCallId("call_9").setContent("sunny"))
            .build();

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> gateway.blocking().chat(request));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(Statuses.violatedFields(Statuses.of(e))).containsExactly("messages[2].tool_call_id");
    assertThat(e.getStatus().getDescription())
        .contains(
            "tool result messages[2] has no tool call: its id 'call_9' matches no tool call of an"
                + " earlier assistant message (known ids: 'c1')");
  }
}
