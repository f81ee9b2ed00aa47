package dev.providergateway.provider.openai;

import static dev.providergateway.provider.openai.OpenAiFixtures.DONE;
import static dev.providergateway.provider.openai.OpenAiFixtures.chunk;
import static dev.providergateway.provider.openai.OpenAiFixtures.usageChunk;
import static dev.providergateway.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.ErrorInfo;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.testing.Requests;
import dev.providergateway.testing.Statuses;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.ListProvidersRequest;
import dev.providergateway.v1.ProviderInfo;
import dev.providergateway.v1.StopReason;
import dev.providergateway.v1.StreamChunk;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI family end to end: a real gateway (in-process gRPC) configured with a {@code type:
 * openai} entry whose base URL is a fake upstream speaking the real wire format.
 */
class OpenAiGatewayTest {
  private final FakeUpstream upstream = FakeUpstream.start();
  private final TestGateway gateway =
      new TestGateway(
          ConfigLoader.parse(
              """
      providers:
        - name: compat
          type: openai
          base_url: %s/v1
          api_key: sk-gateway-test-0123456789
          default_model: test-model
      """
                  .formatted(upstream.baseUri()),
              Map.of()));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
    upstream.close();
  }

  private List<StreamChunk> stream(dev.providergateway.v1.ChatRequest request) {
    List<StreamChunk> chunks = new ArrayList<>();
    gateway.blocking().stream(request).forEachRemaining(chunks::add);
    return chunks;
  }

  @Test
  void stream_text_deltasThenOneFinalChunkWithUsage() throws Exception {
    upstream.enqueue(
        Response.sse(
            List.of(
                chunk("{\"role\":\"assistant\",\"content\":\"\"}", "null"),
                chunk("{\"content\":\"Hello\"}", "null"),
                chunk("{\"content\":\" there\"}", "null"),
                chunk("{}", "\"stop\""),
                usageChunk(
                    "{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19,\"prompt_tokens_details\":{\"cached_tokens\":4}}"),
                DONE)));

    List<StreamChunk> chunks = stream(chat("compat", "hi").build());

    StreamChunk last = chunks.get(chunks.size() - 1);
    assertThat(chunks).filteredOn(StreamChunk::getIsFinal).containsExactly(last);
    assertThat(chunks.subList(0, chunks.size() - 1))
        .extracting(StreamChunk::getContent)
        .containsExactly("Hello", " there");
    assertThat(last.getStopReason()).isEqualTo(StopReason.STOP_REASON_STOP);
    assertThat(last.getUsage().getPromptTokens()).isEqualTo(12);
    assertThat(last.getUsage().getCompletionTokens()).isEqualTo(7);
    assertThat(last.getUsage().getTotalTokens()).isEqualTo(19);
    assertThat(last.getUsage().getCacheReadTokens()).isEqualTo(4);
    assertThat(last.getModel()).isEqualTo("served-model");
    assertThat(last.getProvider()).isEqualTo("compat");
    var sent = upstream.takeRequest();
    assertThat(sent.json().path("model").asText()).isEqualTo("test-model");
    assertThat(sent.json().path("stream_options").path("include_usage").asBoolean()).isTrue();
  }

  @Test
  void stream_toolCalls_deltasThenCompleteCallsOnFinalChunk() {
    upstream.enqueue(
        Response.sse(
            List.of(
                chunk("{\"role\":\"assistant\",\"content\":null}", "null"),
                chunk(
                    "{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                        + "\"arguments\":\"\"}}]}",
                    "null"),
                chunk(
                    "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}",
                    "null"),
                chunk(
                    "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}",
                    "null"),
                chunk("{}", "\"tool_calls\""),
                usageChunk(OpenAiFixtures.usage(20, 9)),
                DONE)));

    List<StreamChunk> chunks =
        stream(chat("compat", "weather in Paris?").addTools(Requests.weatherTool()).build());

    StreamChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.getIsFinal()).isTrue();
    assertThat(chunks.subList(0, chunks.size() - 1))
        .allSatisfy(c -> assertThat(c.getToolCallsList()).isEmpty())
        .flatExtracting(StreamChunk::getToolCallDeltasList)
        .isNotEmpty();
    assertThat(last.getStopReason()).isEqualTo(StopReason.STOP_REASON_TOOL_CALLS);
    assertThat(last.getToolCallsList())
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.getId()).isEqualTo("call_a");
              assertThat(call.getName()).isEqualTo("get_weather");
              assertThat(call.getArguments()).isEqualTo("{\"city\":\"Paris\"}");
            });
    assertThat(last.getUsage().getTotalTokens()).isEqualTo(29);
  }

  @Test
  void chatAndStream_reasoningModel_droppedParameterNoteInMetadata() {
    upstream.enqueue(OpenAiFixtures.text("ok"), OpenAiFixtures.streamedText());
    var request = chat("compat", "hi").setModel("o3-mini").setTemperature(0.3).build();

    CompletionResponse response = gateway.blocking().chat(request);
    List<StreamChunk> chunks = stream(request);

    assertThat(response.getMetadataMap()).containsKey("dropped.temperature");
    assertThat(chunks.get(chunks.size() - 1).getMetadataMap()).containsKey("dropped.temperature");
  }

  @Test
  void stream_upstreamRateLimitWithRetryAfter_resourceExhaustedWithRetryInfo() {
    upstream.enqueue(
        Response.json(
                429,
                "{\"error\":{\"message\":\"Rate limit reached for requests\",\"type\":\"requests\","
                    + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}")
            .withHeader("retry-after", "7"));

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> stream(chat("compat", "hi").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    var status = Statuses.of(e);
    ErrorInfo info = Statuses.errorInfo(status);
    assertThat(info.getReason()).isEqualTo("PROVIDER_RATE_LIMIT");
    assertThat(info.getMetadataMap())
        .containsEntry("provider", "compat")
        .containsEntry("http_status", "429");
    assertThat(Statuses.retryInfo(status))
        .hasValueSatisfying(r -> assertThat(r.getRetryDelay().getSeconds()).isEqualTo(7));
    assertThat(e.getStatus().getDescription())
        .contains("Rate limit reached")
        .doesNotContain("sk-gateway-test");
  }

  @Test
  void listProviders_configuredEntry_openAiWireTypeAndDefaultModel() {
    ProviderInfo info =
        gateway
            .blocking()
            .listProviders(ListProvidersRequest.getDefaultInstance())
            .getProvidersList()
            .stream()
            .filter(p -> p.getName().equals("compat"))
            .findFirst()
            .orElseThrow();

    assertThat(info.getWireType()).isEqualTo("openai");
    assertThat(info.getDefaultModel()).isEqualTo("test-model");
    assertThat(info.getCapabilities().getTools()).isTrue();
  }
}
