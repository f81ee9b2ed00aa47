package dev.providergateway.api;

import static dev.providergateway.testing.Requests.chat;
import static dev.providergateway.testing.Requests.struct;
import static dev.providergateway.testing.Requests.user;
import static dev.providergateway.testing.Requests.weatherTool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.providergateway.testing.Statuses;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.Message;
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

/**
 * Every error fits in a client's default 8 KiB metadata limit: quoted values are truncated, field
 * violations are capped with one that counts the rest, and the message is capped.
 */
class BoundedErrorsTest {
  /** "Well under" the 8 KiB limit: the trailer also carries the message, percent-encoded. */
  static final int MAX_STATUS_BYTES = 4096;

  private static final String HUGE = "x".repeat(50_000);

  private final TestGateway gateway = new TestGateway();

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
  }

  static Stream<Arguments> hugeErrors() {
    return Stream.of(
        Arguments.of(
            "huge role",
            (UnaryOperator<ChatRequest.Builder>)
                b -> b.addMessages(Message.newBuilder().setRole(HUGE))),
        Arguments.of(
            "one violation per message",
            (UnaryOperator<ChatRequest.Builder>)
                b -> {
                  for (int i = 0; i < 4000; i++) {
                    b.addMessages(Message.newBuilder().setRole("robot-" + "r".repeat(100)));
                  }
                  return b;
                }),
        Arguments.of(
            "huge tool call id",
            (UnaryOperator<ChatRequest.Builder>)
                b ->
                    b.addMessages(
                        Message.newBuilder().setRole("tool").setToolCallId(HUGE).setContent("1"))),
        Arguments.of(
            "huge tool names",
            (UnaryOperator<ChatRequest.Builder>)
                b -> {
                  for (int i = 0; i < 200; i++) {
                    b.addTools(weatherTool().toBuilder().setName(i + HUGE.substring(0, 5000)));
                  }
                  return b;
                }),
        Arguments.of(
            "huge tool choice",
            (UnaryOperator<ChatRequest.Builder>)
                b -> b.setToolChoice(ToolChoice.newBuilder().setToolName(HUGE))),
        Arguments.of(
            "huge image mime type",
            (UnaryOperator<ChatRequest.Builder>)
                b ->
                    b.addMessages(
                        user("x").toBuilder()
                            .addImages(
                                dev.providergateway.v1.Image.newBuilder()
                                    .setData(com.google.protobuf.ByteString.copyFromUtf8("x"))
                                    .setMimeType(HUGE)))),
        Arguments.of(
            "huge tag keys",
            (UnaryOperator<ChatRequest.Builder>)
                b -> {
                  for (int i = 0; i < 16; i++) {
                    b.putTags(i + HUGE.substring(0, 10_000), "v");
                  }
                  return b;
                }),
        Arguments.of(
            "huge echo knob value",
            (UnaryOperator<ChatRequest.Builder>)
                b -> b.setExtra(struct("{\"echo_delay_ms\":\"" + HUGE + "\"}"))),
        Arguments.of(
            "huge simulated error name",
            (UnaryOperator<ChatRequest.Builder>)
                b -> b.setExtra(struct("{\"echo_error\":\"" + HUGE + "\"}"))),
        Arguments.of(
            "huge schema required list",
            (UnaryOperator<ChatRequest.Builder>)
                b -> {
                  StringBuilder required = new StringBuilder("[");
                  for (int i = 0; i < 5000; i++) {
                    required.append(i == 0 ? "" : ",").append("\"p").append(i).append('"');
                  }
                  return b.addTools(
                      weatherTool().toBuilder()
                          .setParameters(
                              struct(
                                  "{\"type\":\"object\",\"properties\":{},\"required\":"
                                      + required
                                      + "]}")));
                }),
        Arguments.of(
            "huge provider name", (UnaryOperator<ChatRequest.Builder>) b -> b.setProvider(HUGE)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hugeErrors")
  void chat_hugeInvalidValues_errorFitsWellUnder8KiB(
      String name, UnaryOperator<ChatRequest.Builder> change) throws Exception {
    ChatRequest request = change.apply(chat("echo", "hi")).build();

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> gateway.blocking().chat(request));

    assertThat(e).as("an error").isNotNull();
    assertThat(e.getStatus().getCode())
        .isIn(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND, Status.Code.PERMISSION_DENIED);
    com.google.rpc.Status status = Statuses.of(e);
    assertThat(status.getSerializedSize()).isLessThan(MAX_STATUS_BYTES);
    assertThat(e.getStatus().getDescription().length()).isLessThanOrEqualTo(512);
    for (Any any : status.getDetailsList()) {
      if (any.is(BadRequest.class)) {
        assertThat(any.unpack(BadRequest.class).getFieldViolationsCount()).isLessThanOrEqualTo(21);
      }
      if (any.is(ErrorInfo.class)) {
        any.unpack(ErrorInfo.class)
            .getMetadataMap()
            .values()
            .forEach(v -> assertThat(v.length()).isLessThanOrEqualTo(256));
      }
    }
  }

  @Test
  void chat_manyViolations_firstTwentyThenOneCountingTheRest()
      throws InvalidProtocolBufferException {
    ChatRequest.Builder b = chat("echo", "hi");
    for (int i = 0; i < 100; i++) {
      b.addMessages(Message.newBuilder().setRole("robot"));
    }

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> gateway.blocking().chat(b.build()));

    BadRequest bad = null;
    for (Any any : Statuses.of(e).getDetailsList()) {
      if (any.is(BadRequest.class)) {
        bad = any.unpack(BadRequest.class);
      }
    }
    assertThat(bad).isNotNull();
    assertThat(bad.getFieldViolationsCount()).isEqualTo(21);
    assertThat(bad.getFieldViolations(0).getField()).isEqualTo("messages[1].role");
    assertThat(bad.getFieldViolations(19).getField()).isEqualTo("messages[20].role");
    assertThat(bad.getFieldViolations(20).getDescription()).contains("80 more");
    assertThat(e.getStatus().getDescription()).contains("messages[1].role").contains("99 more");
  }

  @Test
  void chat_hugeRole_quotedValueTruncatedWithEllipsis() throws InvalidProtocolBufferException {
    ChatRequest request =
        chat("echo", "hi").addMessages(Message.newBuilder().setRole("robot" + HUGE)).build();

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> gateway.blocking().chat(request));

    BadRequest.FieldViolation v = null;
    for (Any any : Statuses.of(e).getDetailsList()) {
      if (any.is(BadRequest.class)) {
        v = any.unpack(BadRequest.class).getFieldViolations(0);
      }
    }
    assertThat(v.getField()).isEqualTo("messages[1].role");
    assertThat(v.getDescription())
        .contains("'robot" + "x".repeat(95) + "…'")
        .contains("expected one of system");
  }
}
