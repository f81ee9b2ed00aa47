package dev.providergateway.api;

import static dev.providergateway.testing.Requests.chat;
import static dev.providergateway.testing.Requests.struct;
import static dev.providergateway.testing.Requests.weatherTool;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import dev.providergateway.v1.ResponseFormat;
import dev.providergateway.v1.StreamChunk;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * JSON nulls in {@code google.protobuf.Struct} fields (what a JSON client sends for {@code
 * {"temperature": null}}): a top-level null in {@code extra} means "not set" and is dropped, as
 * Victor drops {@code None} kwargs; a null nested inside a value is JSON null and is sent as it is.
 * Never INTERNAL.
 */
class NullValuesTest {
  private final TestGateway gateway = new TestGateway();

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
  }

  static Stream<Arguments> requestsWithNulls() {
    Value unset = Value.getDefaultInstance();
    return Stream.of(
        Arguments.of(
            "null in extra",
            (UnaryOperator<ChatRequest.Builder>) b -> b.setExtra(struct("{\"temperature\":null}"))),
        Arguments.of(
            "null echo knob",
            (UnaryOperator<ChatRequest.Builder>)
                b -> b.setExtra(struct("{\"echo_delay_ms\":null,\"echo_error\":null}"))),
        Arguments.of(
            "value with no kind in extra",
            (UnaryOperator<ChatRequest.Builder>)
                b -> b.setExtra(Struct.newBuilder().putFields("seed", unset))),
        Arguments.of(
            "nested nulls in extra",
            (UnaryOperator<ChatRequest.Builder>)
                b -> b.setExtra(struct("{\"options\":{\"a\":null,\"b\":[null,1,[null]]}}"))),
        Arguments.of(
            "null in tool parameters",
            (UnaryOperator<ChatRequest.Builder>)
                b ->
                    b.addTools(
                        weatherTool().toBuilder()
                            .setParameters(
                                struct(
                                    "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"default\":null,\"enum\":[null,\"Oslo\"]}},\"x\":null}")))),
        Arguments.of(
            "null in json schema response format",
            (UnaryOperator<ChatRequest.Builder>)
                b ->
                    b.setResponseFormat(
                        ResponseFormat.newBuilder()
                            .setJsonSchema(
                                ResponseFormat.JsonSchemaFormat.newBuilder()
                                    .setName("answer")
                                    .setSchema(
                                        struct(
                                            "{\"type\":\"object\",\"default\":null,\"properties\":{\"a\":{\"const\":null}}}"))))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requestsWithNulls")
  void chat_nullStructValues_succeeds(String name, UnaryOperator<ChatRequest.Builder> change) {
    CompletionResponse response = gateway.blocking().chat(change.apply(chat("echo", "hi")).build());

    assertThat(response.getContent()).isEqualTo("hi");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requestsWithNulls")
  void stream_nullStructValues_endsWithFinalChunk(
      String name, UnaryOperator<ChatRequest.Builder> change) {
    List<StreamChunk> chunks = new ArrayList<>();
    gateway.blocking().stream(change.apply(chat("echo", "hi")).build())
        .forEachRemaining(chunks::add);

    assertThat(chunks.get(chunks.size() - 1).getIsFinal()).isTrue();
  }

  @Test
  void converse_nullInExtra_turnSucceeds() throws Exception {
    LinkedBlockingQueue<ConverseResponse> responses = new LinkedBlockingQueue<>();
    StreamObserver<ConverseRequest> requests = gateway.converse(responses);
    requests.onNext(
        ConverseRequest.newBuilder()
            .setStart(
                ConverseRequest.StartTurn.newBuilder()
                    .setTurnId("t")
                    .setUseHistory(true)
                    .setRequest(
                        chat("echo", "hi").setExtra(struct("{\"temperature\":null}")).build()))
            .build());

    ConverseResponse last;
    do {
      last = responses.poll(5, TimeUnit.SECONDS);
      assertThat(last).isNotNull();
      assertThat(last.hasError()).as("turn error %s", last).isFalse();
    } while (!last.getChunk().getIsFinal());
    requests.onCompleted();
  }

  @Test
  void chat_nullsInExtraToOpenAi_topLevelDroppedNestedKept() throws Exception {
    try (FakeUpstream upstream = FakeUpstream.start();
        TestGateway openai =
            new TestGateway(
                ConfigLoader.parse(
                    """
                    providers:
                      - name: oa
                        type: openai
                        base_url: %s/v1
                        api_key: sk-gateway-test-0123456789
                        default_model: test-model
                    """
                        .formatted(upstream.baseUri()),
                    Map.of()))) {
      upstream.enqueue(
          Response.json(
              200,
              "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"test-model\","
                  + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
                  + "\"finish_reason\":\"stop\"}],"
                  + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}"));

      openai
          .blocking()
          .chat(
              chat("oa", "hi")
                  .setExtra(struct("{\"temperature\":null,\"metadata\":{\"a\":null}}"))
                  .build());

      JsonNode body = upstream.takeRequest().json();
      assertThat(body.has("temperature")).isFalse();
      assertThat(body.get("metadata").has("a")).isTrue();
      assertThat(body.get("metadata").get("a").isNull()).isTrue();
    }
  }
}
