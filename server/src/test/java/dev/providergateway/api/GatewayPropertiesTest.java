package dev.providergateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import dev.providergateway.v1.Message;
import dev.providergateway.v1.ToolCall;
import dev.providergateway.v1.ToolChoice;
import dev.providergateway.v1.ToolDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Whatever a caller sends in a ChatRequest or a Converse turn, the gateway answers with a result or
 * a deliberate error: never INTERNAL or UNKNOWN, every error (message and details) well under a
 * client's 8 KiB trailer limit, and no configured secret or control character in any status text.
 */
class GatewayPropertiesTest {
  private static final String SECRET = "gsk_PropertySecret0123456789abcdef";
  private static final int MAX_STATUS_BYTES = 8 * 1024;

  private static TestGateway gateway;

  @BeforeContainer
  static void start() {
    gateway =
        new TestGateway(
            ConfigLoader.parse(
                """
                providers:
                  - {name: echo, type: echo}
                  - name: secretive
                    type: openai
                    base_url: http://127.0.0.1:1/v1
                    api_key: %s
                    default_model: m
                limits: {max_request_bytes: 65536, max_messages: 64, max_tools: 8}
                """
                    .formatted(SECRET),
                Map.of()));
  }

  @AfterContainer
  static void stop() throws InterruptedException {
    gateway.close();
  }

  @Property(tries = 200)
  void chat_anyRequest_answersOrFailsDeliberatelyAndBounded(
      @ForAll("requests") ChatRequest request) {
    try {
      gateway.blocking().withDeadlineAfter(10, TimeUnit.SECONDS).chat(request);
    } catch (StatusRuntimeException e) {
      assertDeliberate(e.getStatus().getCode(), StatusProto.fromThrowable(e), e);
    }
  }

  /**
   * A caller that sends the configured secret gets no error that quotes it back: every configured
   * secret is redacted by its value wherever text leaves the process (issue 14, defect 2).
   */
  @Property(tries = 50)
  void chat_requestCarryingTheSecret_noStatusTextCarriesIt(
      @ForAll("requests") ChatRequest request,
      @ForAll("secretPlaces") java.util.function.UnaryOperator<ChatRequest.Builder> place) {
    chat_anyRequest_answersOrFailsDeliberatelyAndBounded(place.apply(request.toBuilder()).build());
  }

  @Provide
  Arbitrary<java.util.function.UnaryOperator<ChatRequest.Builder>> secretPlaces() {
    return Arbitraries.of(
        b -> b.setProvider(SECRET),
        b -> b.addMessages(Message.newBuilder().setRole("tool").setToolCallId(SECRET)),
        b -> b.addMessages(Message.newBuilder().setRole(SECRET)),
        b -> b.putTags(SECRET, "v"),
        b -> b.setToolChoice(ToolChoice.newBuilder().setToolName(SECRET)));
  }

  @Property(tries = 40)
  void converse_anyTurns_eachAnswersOrFailsDeliberatelyAndBounded(
      @ForAll("turns") List<ConverseRequest> turns) throws InterruptedException {
    List<ConverseResponse> responses = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    StreamObserver<ConverseRequest> requests =
        gateway
            .async()
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .converse(
                new StreamObserver<>() {
                  @Override
                  public synchronized void onNext(ConverseResponse r) {
                    responses.add(r);
                  }

                  @Override
                  public synchronized void onError(Throwable t) {
                    failures.add(t);
                    done.countDown();
                  }

                  @Override
                  public void onCompleted() {
                    done.countDown();
                  }
                });
    turns.forEach(requests::onNext);
    requests.onCompleted();
    assertThat(done.await(15, TimeUnit.SECONDS)).isTrue();

    synchronized (this) {
      for (Throwable t : failures) {
        assertDeliberate(Status.fromThrowable(t).getCode(), StatusProto.fromThrowable(t), t);
      }
      for (ConverseResponse r : responses) {
        if (r.hasError()) {
          assertDeliberate(Status.Code.values()[r.getError().getCode()], r.getError(), r);
        }
      }
    }
  }

  private static void assertDeliberate(
      Status.Code code, com.google.rpc.Status status, Object what) {
    assertThat(code).as("%s", what).isNotIn(Status.Code.INTERNAL, Status.Code.UNKNOWN);
    if (status == null) {
      return;
    }
    assertThat(status.getSerializedSize()).as("%s", what).isLessThan(MAX_STATUS_BYTES);
    List<String> texts = new ArrayList<>();
    texts.add(status.getMessage());
    for (Any any : status.getDetailsList()) {
      try {
        if (any.is(BadRequest.class)) {
          any.unpack(BadRequest.class)
              .getFieldViolationsList()
              .forEach(
                  v -> {
                    texts.add(v.getField());
                    texts.add(v.getDescription());
                  });
        } else if (any.is(ErrorInfo.class)) {
          ErrorInfo info = any.unpack(ErrorInfo.class);
          texts.add(info.getReason());
          texts.addAll(info.getMetadataMap().keySet());
          texts.addAll(info.getMetadataMap().values());
        }
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new AssertionError(e);
      }
    }
    for (String text : texts) {
      assertThat(text).as("%s", what).doesNotContain(SECRET);
      assertThat(text.chars().noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f)))
          .as("control character in %s of %s", text, what)
          .isTrue();
    }
  }

  @Provide
  Arbitrary<List<ConverseRequest>> turns() {
    Arbitrary<ConverseRequest> start =
        Combinators.combine(
                Arbitraries.of("a", "b", "", "a\nb", "t".repeat(200)),
                requests(),
                Arbitraries.of(true, false))
            .as(
                (id, request, history) ->
                    ConverseRequest.newBuilder()
                        .setStart(
                            ConverseRequest.StartTurn.newBuilder()
                                .setTurnId(id)
                                .setRequest(request)
                                .setUseHistory(history))
                        .build());
    Arbitrary<ConverseRequest> cancel =
        Arbitraries.of("a", "b", "zz")
            .map(
                id ->
                    ConverseRequest.newBuilder()
                        .setCancel(ConverseRequest.CancelTurn.newBuilder().setTurnId(id))
                        .build());
    Arbitrary<ConverseRequest> empty = Arbitraries.just(ConverseRequest.getDefaultInstance());
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, start),
            net.jqwik.api.Tuple.of(2, cancel),
            net.jqwik.api.Tuple.of(1, empty))
        .list()
        .ofMinSize(1)
        .ofMaxSize(4);
  }

  @Provide
  Arbitrary<ChatRequest> requests() {
    Arbitrary<ChatRequest.Builder> base =
        Combinators.combine(
                Arbitraries.of("echo", "", "secretive", "nope", "echo\r\n").injectDuplicates(0.1),
                text(),
                messages(),
                tools(),
                struct(2))
            .as(
                (provider, model, messages, tools, extra) ->
                    ChatRequest.newBuilder()
                        .setProvider(provider)
                        .setModel(model)
                        .addAllMessages(messages)
                        .addAllTools(tools)
                        .setExtra(extra));
    return Combinators.combine(
            base,
            Arbitraries.doubles().between(-1, 3).injectNull(0.6),
            Arbitraries.integers().between(-5, 2_000_000).injectNull(0.6),
            Arbitraries.doubles().between(-0.5, 1.5).injectNull(0.7),
            text().injectNull(0.7),
            text().list().ofMaxSize(3),
            Arbitraries.maps(text(), text()).ofMaxSize(3))
        .as(
            (b, temperature, maxTokens, topP, toolChoice, stop, tags) -> {
              if (temperature != null) {
                b.setTemperature(temperature);
              }
              if (maxTokens != null) {
                b.setMaxTokens(maxTokens);
              }
              if (topP != null) {
                b.setTopP(topP);
              }
              if (toolChoice != null) {
                b.setToolChoice(ToolChoice.newBuilder().setToolName(toolChoice));
              }
              return b.addAllStop(stop).putAllTags(tags).build();
            });
  }

  private static Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(20),
        Arbitraries.strings().withCharRange('\0', '\u00ff').ofMaxLength(300),
        Arbitraries.strings().withChars('x', '\n', '\u2028').ofMinLength(500).ofMaxLength(3000),
        Arbitraries.of("hi", "user", "get_weather", "{\"a\":1}"));
  }

  private static Arbitrary<List<Message>> messages() {
    Arbitrary<Message> message =
        Combinators.combine(
                Arbitraries.of("user", "assistant", "tool", "system", "robot", ""),
                text(),
                text().injectNull(0.7),
                text().list().ofMaxSize(2))
            .as(
                (role, content, toolCallId, callIds) -> {
                  Message.Builder m = Message.newBuilder().setRole(role).setContent(content);
                  if (toolCallId != null) {
                    m.setToolCallId(toolCallId);
                  }
                  callIds.forEach(
                      id ->
                          m.addToolCalls(
                              ToolCall.newBuilder().setId(id).setName(id).setArguments("{}")));
                  return m.build();
                });
    return message.list().ofMaxSize(70);
  }

  private static Arbitrary<List<ToolDefinition>> tools() {
    return Combinators.combine(text(), text(), struct(3))
        .as(
            (name, description, parameters) ->
                ToolDefinition.newBuilder()
                    .setName(name)
                    .setDescription(description)
                    .setParameters(parameters)
                    .build())
        .list()
        .ofMaxSize(10);
  }

  private static Arbitrary<Struct> struct(int depth) {
    return Arbitraries.maps(
            Arbitraries.oneOf(
                text(),
                Arbitraries.of(
                    "type",
                    "properties",
                    "required",
                    "temperature",
                    "echo_delay_ms",
                    "echo_error")),
            value(depth))
        .ofMaxSize(4)
        .map(fields -> Struct.newBuilder().putAllFields(fields).build());
  }

  private static Arbitrary<Value> value(int depth) {
    List<Arbitrary<Value>> kinds = new ArrayList<>();
    kinds.add(Arbitraries.just(Value.newBuilder().setNullValueValue(0).build()));
    kinds.add(Arbitraries.just(Value.getDefaultInstance()));
    kinds.add(Arbitraries.of(true, false).map(v -> Value.newBuilder().setBoolValue(v).build()));
    kinds.add(
        Arbitraries.of(0d, -5d, 1.5, 1e300, Double.NaN, 3d, 65_000d)
            .map(v -> Value.newBuilder().setNumberValue(v).build()));
    kinds.add(text().map(v -> Value.newBuilder().setStringValue(v).build()));
    if (depth > 0) {
      kinds.add(
          Arbitraries.lazy(() -> struct(depth - 1))
              .map(v -> Value.newBuilder().setStructValue(v).build()));
      kinds.add(
          Arbitraries.lazy(() -> value(depth - 1))
              .list()
              .ofMaxSize(3)
              .map(
                  v ->
                      Value.newBuilder()
                          .setListValue(com.google.protobuf.ListValue.newBuilder().addAllValues(v))
                          .build()));
    }
    return Arbitraries.oneOf(kinds);
  }
}
