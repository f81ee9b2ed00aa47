package dev.providergateway.provider.ollama;

import static dev.providergateway.provider.ollama.OllamaContractTest.doneLine;
import static dev.providergateway.provider.ollama.OllamaContractTest.line;
import static dev.providergateway.provider.ollama.OllamaContractTest.text;
import static dev.providergateway.testing.Requests.chat;
import static dev.providergateway.testing.Requests.weatherTool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.testing.Statuses;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.ListProvidersRequest;
import dev.providergateway.v1.ProviderInfo;
import dev.providergateway.v1.StopReason;
import dev.providergateway.v1.StreamChunk;
import dev.providergateway.v1.ToolCallFormat;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Ollama provider behind the real gateway: config, registry, dispatcher, gRPC surface. */
class OllamaGatewayTest {
  private final FakeUpstream upstream = FakeUpstream.start();
  private final TestGateway gateway =
      new TestGateway(
          ConfigLoader.parse(
              """
      providers:
        - name: local
          type: ollama
          base_url: ${FAKE_OLLAMA}
          default_model: qwen3:8b
          options:
            keep_alive: 10m
            model_options: {num_ctx: 16384}
      """,
              Map.of("FAKE_OLLAMA", upstream.baseUri().toString())));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
    upstream.close();
  }

  @Test
  void stream_textThenToolCalls_deltasThenExactlyOneFinalChunk() throws Exception {
    upstream.enqueue(
        Response.ndjson(
            List.of(
                text("Let me"),
                text(" check."),
                line(
                    "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}}]}"),
                line(
                    "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Rome\"}}}]}"),
                doneLine("stop"))));

    List<StreamChunk> chunks = new ArrayList<>();
    gateway.blocking().stream(
            chat("local", "weather in Oslo and Rome?").addTools(weatherTool()).build())
        .forEachRemaining(chunks::add);

    List<StreamChunk> finals = chunks.stream().filter(StreamChunk::getIsFinal).toList();
    assertThat(finals).hasSize(1);
    assertThat(chunks.get(chunks.size() - 1).getIsFinal()).isTrue();
    assertThat(chunks.stream().map(StreamChunk::getContent).reduce("", String::concat))
        .isEqualTo("Let me check.");
    assertThat(chunks.stream().filter(c -> c.getToolCallDeltasCount() > 0).count()).isEqualTo(2);
    StreamChunk last = finals.get(0);
    assertThat(last.getToolCallsList())
        .extracting(c -> c.getId() + " " + c.getName() + " " + c.getArguments())
        .containsExactly(
            "call_0 get_weather {\"city\":\"Oslo\"}", "call_1 get_weather {\"city\":\"Rome\"}");
    assertThat(last.getStopReason()).isEqualTo(StopReason.STOP_REASON_TOOL_CALLS);
    assertThat(last.getNativeStopReason()).isEqualTo("stop");
    assertThat(last.getUsage().getPromptTokens()).isEqualTo(12);
    assertThat(last.getUsage().getCompletionTokens()).isEqualTo(7);
    assertThat(last.getUsage().getTotalTokens()).isEqualTo(19);
    assertThat(last.getModel()).isEqualTo("test-model");
    assertThat(last.getProvider()).isEqualTo("local");

    var sent = upstream.takeRequest().json();
    assertThat(sent.path("model").asText()).isEqualTo("qwen3:8b");
    assertThat(sent.path("stream").asBoolean()).isTrue();
    assertThat(sent.path("keep_alive").asText()).isEqualTo("10m");
    assertThat(sent.path("options").path("num_ctx").asInt()).isEqualTo(16384);
  }

  @Test
  void chat_modelNotPulled_notFoundWithModelNotFoundReason() {
    upstream.enqueue(
        Response.json(
            404, "{\"error\":\"model \\\"mistral\\\" not found, try pulling it first\"}"));

    assertThatThrownBy(
            () -> gateway.blocking().chat(chat("local", "hi").setModel("mistral").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(Statuses.errorInfo(Statuses.of(e)).getReason())
                  .isEqualTo("MODEL_NOT_FOUND");
              assertThat(e.getStatus().getDescription())
                  .contains("mistral")
                  .contains("try pulling it first");
            });
  }

  @Test
  void chat_text_answeredThroughTheGateway() {
    upstream.enqueue(
        Response.json(
            200,
            "{\"model\":\"qwen3:8b\",\"created_at\":\"2025-01-01T00:00:00Z\","
                + "\"message\":{\"role\":\"assistant\",\"content\":\"Hello.\"},\"done_reason\":\"stop\",\"done\":true,"
                + OllamaContractTest.FINAL_STATS
                + "}"));

    CompletionResponse r = gateway.blocking().chat(chat("local", "hi").build());

    assertThat(r.getContent()).isEqualTo("Hello.");
    assertThat(r.getUsage().getTotalTokens()).isEqualTo(19);
    assertThat(r.getStopReason()).isEqualTo(StopReason.STOP_REASON_STOP);
    assertThat(r.getProvider()).isEqualTo("local");
    assertThat(r.getMetadataMap()).containsKey("total_duration_ns");
  }

  @Test
  void listProviders_ollamaEntry_ollamaNativeFormat() {
    ProviderInfo info =
        gateway
            .blocking()
            .listProviders(ListProvidersRequest.getDefaultInstance())
            .getProvidersList()
            .stream()
            .filter(p -> p.getName().equals("local"))
            .findFirst()
            .orElseThrow();

    assertThat(info.getCapabilities().getToolCallFormat())
        .isEqualTo(ToolCallFormat.TOOL_CALL_FORMAT_OLLAMA_NATIVE);
    assertThat(info.getDefaultModel()).isEqualTo("qwen3:8b");
  }
}
