package dev.providergateway.api;

import static dev.providergateway.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.providergateway.testing.Statuses;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import dev.providergateway.v1.Message;
import dev.providergateway.v1.ToolCall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Over-long identifiers are refused at the edge with INVALID_ARGUMENT naming the field. */
class IdentifierLimitsTest {
  private static final String MEGABYTE = "m".repeat(1 << 20);
  private final TestGateway gateway = new TestGateway();

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
  }

  static Stream<Arguments> overLong() {
    String long300 = "x".repeat(300);
    Message assistant =
        Message.newBuilder()
            .setRole("assistant")
            .addToolCalls(
                ToolCall.newBuilder().setId(long300).setName("get_weather").setArguments("{}"))
            .build();
    return Stream.of(
        Arguments.of("model", (UnaryOperator<ChatRequest.Builder>) b -> b.setModel(MEGABYTE)),
        Arguments.of("provider", (UnaryOperator<ChatRequest.Builder>) b -> b.setProvider(long300)),
        Arguments.of(
            "reasoning_effort",
            (UnaryOperator<ChatRequest.Builder>) b -> b.setReasoningEffort(long300)),
        Arguments.of(
            "messages[0].name",
            (UnaryOperator<ChatRequest.Builder>)
                b -> b.setMessages(0, b.getMessages(0).toBuilder().setName(long300))),
        Arguments.of(
            "messages[0].tool_calls[0].id",
            (UnaryOperator<ChatRequest.Builder>) b -> b.clearMessages().addMessages(assistant)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overLong")
  void chat_overLongIdentifier_isInvalidArgumentNamingTheField(
      String field, UnaryOperator<ChatRequest.Builder> change) {
    ChatRequest request = change.apply(chat("echo", "hi")).build();

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> gateway.blocking().chat(request));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(Statuses.violatedFields(Statuses.of(e))).contains(field);
    assertThat(e.getStatus().getDescription()).hasSizeLessThan(1000);
  }

  @Test
  void chat_modelAtTheLimit_isAccepted() {
    var response = gateway.blocking().chat(chat("echo", "hi").setModel("m".repeat(256)).build());

    assertThat(response.getContent()).isEqualTo("hi");
  }

  @Test
  void converse_overLongTurnId_isRefusedWithoutEchoingIt() throws Exception {
    var responses = new LinkedBlockingQueue<ConverseResponse>();
    StreamObserver<ConverseRequest> requests = gateway.converse(responses);
    requests.onNext(
        ConverseRequest.newBuilder()
            .setStart(
                ConverseRequest.StartTurn.newBuilder()
                    .setTurnId(MEGABYTE)
                    .setRequest(chat("echo", "hi")))
            .build());

    ConverseResponse response = responses.poll(5, TimeUnit.SECONDS);
    requests.onCompleted();

    assertThat(response).isNotNull();
    assertThat(response.getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    assertThat(response.getSerializedSize()).isLessThan(8 * 1024);
  }
}
