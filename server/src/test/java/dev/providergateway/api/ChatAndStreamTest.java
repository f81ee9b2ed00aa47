package dev.providergateway.api;

import static dev.providergateway.testing.Requests.chat;
import static dev.providergateway.testing.Requests.extra;
import static dev.providergateway.testing.Requests.user;
import static dev.providergateway.testing.Requests.weatherTool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.providergateway.config.GatewayConfig;
import dev.providergateway.config.ProviderConfig;
import dev.providergateway.config.RouteConfig;
import dev.providergateway.testing.Statuses;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CircuitState;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.ListProvidersRequest;
import dev.providergateway.v1.ListProvidersResponse;
import dev.providergateway.v1.Message;
import dev.providergateway.v1.ProviderInfo;
import dev.providergateway.v1.StopReason;
import dev.providergateway.v1.StreamChunk;
import dev.providergateway.v1.ToolCall;
import dev.providergateway.v1.ToolCallFormat;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Chat, Stream and ListProviders through the in-process gateway and the echo provider. */
class ChatAndStreamTest {
  private final TestGateway gateway =
      new TestGateway(
          GatewayConfig.defaults()
              .withProviders(List.of(ProviderConfig.of("mirror", "echo")))
              .withRoutes(
                  Map.of(
                      "fast",
                      new RouteConfig(
                          List.of(new RouteConfig.RouteTarget("mirror", "mirror-model"))))));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
  }

  @Test
  void chat_echoProvider_answersWithLastUserMessage() {
    CompletionResponse r =
        gateway
            .blocking()
            .chat(
                ChatRequest.newBuilder()
                    .setProvider("echo")
                    .addMessages(Message.newBuilder().setRole("system").setContent("be brief"))
                    .addMessages(user("hello there gateway"))
                    .build());

    assertThat(r.getContent()).isEqualTo("hello there gateway");
    assertThat(r.getRole()).isEqualTo("assistant");
    assertThat(r.getStopReason()).isEqualTo(StopReason.STOP_REASON_STOP);
    assertThat(r.getNativeStopReason()).isEqualTo("stop");
    assertThat(r.getProvider()).isEqualTo("echo");
    assertThat(r.getModel()).isEqualTo("echo-1");
    assertThat(r.getUsage().getPromptTokens()).isEqualTo(5);
    assertThat(r.getUsage().getCompletionTokens()).isEqualTo(3);
    assertThat(r.getUsage().getTotalTokens()).isEqualTo(8);
  }

  @Test
  void chat_noProviderNoModel_usesDefaultProvider() {
    CompletionResponse r = gateway.blocking().chat(chat("", "hi").build());

    assertThat(r.getProvider()).isEqualTo("echo");
  }

  @Test
  void chat_providerSlashModel_selectsThatProvider() {
    CompletionResponse r =
        gateway.blocking().chat(chat("", "hi").setModel("mirror/custom-model").build());

    assertThat(r.getProvider()).isEqualTo("mirror");
    assertThat(r.getModel()).isEqualTo("custom-model");
  }

  @Test
  void chat_routeAlias_usesRouteTarget() {
    CompletionResponse r = gateway.blocking().chat(chat("", "hi").setModel("fast").build());

    assertThat(r.getProvider()).isEqualTo("mirror");
    assertThat(r.getModel()).isEqualTo("mirror-model");
  }

  @Test
  void chat_toolCallLines_returnParsedToolCalls() {
    CompletionResponse r =
        gateway
            .blocking()
            .chat(
                chat("echo", "call get_weather {\"city\":\"Paris\"}\ncall get_weather not json")
                    .addTools(weatherTool())
                    .build());

    assertThat(r.getStopReason()).isEqualTo(StopReason.STOP_REASON_TOOL_CALLS);
    assertThat(r.getContent()).isEmpty();
    assertThat(r.getToolCallsList())
        .containsExactly(
            ToolCall.newBuilder()
                .setId("echo_call_0")
                .setName("get_weather")
                .setArguments("{\"city\":\"Paris\"}")
                .build(),
            ToolCall.newBuilder()
                .setId("echo_call_1")
                .setName("get_weather")
                .setArguments("{}")
                .setRawArguments("not json")
                .build());
  }

  @Test
  void chat_callLineWithoutTools_isPlainText() {
    CompletionResponse r = gateway.blocking().chat(chat("echo", "call get_weather {}").build());

    assertThat(r.getToolCallsList()).isEmpty();
    assertThat(r.getContent()).isEqualTo("call get_weather {}");
  }

  @Test
  void stream_echoProvider_deltasThenExactlyOneFinalChunk() {
    List<StreamChunk> chunks = new ArrayList<>();
    gateway.blocking().stream(chat("echo", "one two three").build()).forEachRemaining(chunks::add);

    assertThat(chunks).hasSize(4);
    assertThat(chunks.subList(0, 3))
        .extracting(StreamChunk::getContent)
        .containsExactly("one", " two", " three");
    assertThat(chunks.subList(0, 3)).noneMatch(StreamChunk::getIsFinal);
    assertThat(chunks.get(0).getModel()).isEqualTo("echo-1");
    StreamChunk last = chunks.get(3);
    assertThat(last.getIsFinal()).isTrue();
    assertThat(last.getContent()).isEmpty();
    assertThat(last.getStopReason()).isEqualTo(StopReason.STOP_REASON_STOP);
    assertThat(last.getUsage().getCompletionTokens()).isEqualTo(3);
    assertThat(last.getProvider()).isEqualTo("echo");
    assertThat(last.getModel()).isEqualTo("echo-1");
  }

  @Test
  void stream_toolCall_deltasAsTheyArriveThenCompleteCallsOnFinal() {
    List<StreamChunk> chunks = new ArrayList<>();
    gateway.blocking().stream(
            chat(
                    "echo",
                    "call get_weather {\"city\":\"Oslo\"}\ncall get_weather {\"city\":\"Rome\"}")
                .addTools(weatherTool())
                .build())
        .forEachRemaining(chunks::add);

    List<StreamChunk> deltas = chunks.stream().filter(c -> c.getToolCallDeltasCount() > 0).toList();
    assertThat(deltas).hasSize(4);
    assertThat(deltas.get(0).getToolCallDeltas(0).getName()).isEqualTo("get_weather");
    StringBuilder firstArgs = new StringBuilder();
    deltas.stream()
        .flatMap(c -> c.getToolCallDeltasList().stream())
        .filter(d -> d.getIndex() == 0)
        .forEach(d -> firstArgs.append(d.getArgumentsDelta()));
    assertThat(firstArgs.toString()).isEqualTo("{\"city\":\"Oslo\"}");
    StreamChunk last = chunks.get(chunks.size() - 1);
    assertThat(chunks).filteredOn(StreamChunk::getIsFinal).hasSize(1);
    assertThat(last.getIsFinal()).isTrue();
    assertThat(last.getStopReason()).isEqualTo(StopReason.STOP_REASON_TOOL_CALLS);
    assertThat(last.getToolCallsList())
        .extracting(ToolCall::getId, ToolCall::getArguments)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("echo_call_0", "{\"city\":\"Oslo\"}"),
            org.assertj.core.groups.Tuple.tuple("echo_call_1", "{\"city\":\"Rome\"}"));
  }

  @Test
  void stream_maxTokensBelowReply_stopsWithLength() {
    List<StreamChunk> chunks = new ArrayList<>();
    gateway.blocking().stream(chat("echo", "a b c d e").setMaxTokens(2).build())
        .forEachRemaining(chunks::add);

    assertThat(chunks).hasSize(3);
    assertThat(chunks.get(2).getStopReason()).isEqualTo(StopReason.STOP_REASON_LENGTH);
  }

  @Test
  void stream_upstreamDiesMidway_endsWithErrorStatusNotCleanEnd() {
    List<StreamChunk> chunks = new ArrayList<>();
    var it =
        gateway.blocking().stream(
            chat("echo", "one two three four")
                .setExtra(
                    extra("echo_error", "PROVIDER_CONNECTION").toBuilder()
                        .putFields(
                            "echo_error_after_words",
                            com.google.protobuf.Value.newBuilder().setNumberValue(2).build()))
                .build());

    assertThatThrownBy(() -> it.forEachRemaining(chunks::add))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(Statuses.errorInfo(Statuses.of(e)).getReason())
                  .isEqualTo("PROVIDER_CONNECTION");
            });
    assertThat(chunks).extracting(StreamChunk::getContent).containsExactly("one", " two");
    assertThat(chunks).noneMatch(StreamChunk::getIsFinal);
  }

  @Test
  void listProviders_showsProvidersAliasesCapabilitiesBreakerAndRoutes() {
    ListProvidersResponse r =
        gateway.blocking().listProviders(ListProvidersRequest.getDefaultInstance());

    assertThat(r.getProvidersList()).extracting(ProviderInfo::getName).contains("echo", "mirror");
    ProviderInfo echo =
        r.getProvidersList().stream()
            .filter(p -> p.getName().equals("echo"))
            .findFirst()
            .orElseThrow();
    assertThat(echo.getDemo()).isTrue();
    assertThat(echo.getWireType()).isEqualTo("echo");
    assertThat(echo.getDescription()).containsIgnoringCase("test/demo");
    assertThat(echo.getCircuitState()).isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
    assertThat(echo.getCapabilities().getTools()).isTrue();
    assertThat(echo.getCapabilities().getStreaming()).isTrue();
    assertThat(echo.getCapabilities().getToolCallFormat())
        .isEqualTo(ToolCallFormat.TOOL_CALL_FORMAT_OPENAI);
    assertThat(echo.getModelsList()).extracting(m -> m.getId()).containsExactly("echo-1");
    assertThat(r.getDefaultProvider()).isEqualTo("echo");
    assertThat(r.getRoutesList())
        .singleElement()
        .satisfies(
            route -> {
              assertThat(route.getName()).isEqualTo("fast");
              assertThat(route.getTargets(0).getProvider()).isEqualTo("mirror");
            });
  }
}
