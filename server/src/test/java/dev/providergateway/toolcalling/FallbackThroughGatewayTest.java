package dev.providergateway.toolcalling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.testing.Requests;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.ListProvidersRequest;
import dev.providergateway.v1.ProviderInfo;
import dev.providergateway.v1.StopReason;
import dev.providergateway.v1.StreamChunk;
import dev.providergateway.v1.ToolCallFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tool calling for a model without native tool calls, end to end: an echo provider registered under
 * the name {@code lmstudio} gets LM Studio's table entry (no native calls, JSON fallback), so the
 * gateway strips the tool fields and parses the call out of the reply, which echo makes from the
 * user's text. Streaming proves the hold-back: echo streams the JSON word by word.
 */
class FallbackThroughGatewayTest {
  private static final String CALL_TEXT =
      "Checking now.\n```json\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n```";
  private final TestGateway gateway =
      new TestGateway(
          ConfigLoader.parse("providers:\n  - {name: lmstudio, type: echo}\n", Map.of()));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
  }

  @Test
  void chat_callInModelText_returnedAsToolCall() {
    CompletionResponse r =
        gateway
            .blocking()
            .chat(Requests.chat("lmstudio", CALL_TEXT).addTools(Requests.weatherTool()).build());

    assertThat(r.getToolCallsCount()).isEqualTo(1);
    assertThat(r.getToolCalls(0).getName()).isEqualTo("get_weather");
    assertThat(r.getToolCalls(0).getArguments()).isEqualTo("{\"city\":\"Paris\"}");
    assertThat(r.getContent()).isEqualTo("Checking now.");
    assertThat(r.getStopReason()).isEqualTo(StopReason.STOP_REASON_TOOL_CALLS);
    assertThat(r.getMetadataMap()).containsEntry("tool_calls.source", "text");
  }

  @Test
  void stream_callSplitAcrossChunks_neverShownAsProse() {
    List<StreamChunk> chunks = new ArrayList<>();
    gateway.blocking().stream(
            Requests.chat("lmstudio", CALL_TEXT).addTools(Requests.weatherTool()).build())
        .forEachRemaining(chunks::add);

    String shown = chunks.stream().map(StreamChunk::getContent).reduce("", String::concat);
    assertThat(shown).isEqualTo("Checking now.\n");
    assertThat(chunks)
        .flatExtracting(StreamChunk::getToolCallDeltasList)
        .singleElement()
        .satisfies(d -> assertThat(d.getName()).isEqualTo("get_weather"));
    StreamChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.getIsFinal()).isTrue();
    assertThat(last.getToolCallsList())
        .singleElement()
        .satisfies(c -> assertThat(c.getName()).isEqualTo("get_weather"));
    assertThat(last.getStopReason()).isEqualTo(StopReason.STOP_REASON_TOOL_CALLS);
  }

  @Test
  void stream_noCallInReply_textUnchanged() {
    List<StreamChunk> chunks = new ArrayList<>();
    gateway.blocking().stream(
            Requests.chat("lmstudio", "just a normal <b>answer</b> [1]")
                .addTools(Requests.weatherTool())
                .build())
        .forEachRemaining(chunks::add);

    assertThat(chunks.stream().map(StreamChunk::getContent).reduce("", String::concat))
        .isEqualTo("just a normal <b>answer</b> [1]");
    assertThat(chunks.get(chunks.size() - 1).getStopReason())
        .isEqualTo(StopReason.STOP_REASON_STOP);
  }

  @Test
  void listProviders_showsFallbackCapabilities() {
    ProviderInfo info =
        gateway
            .blocking()
            .listProviders(ListProvidersRequest.getDefaultInstance())
            .getProvidersList()
            .stream()
            .filter(p -> p.getName().equals("lmstudio"))
            .findFirst()
            .orElseThrow();

    assertThat(info.getCapabilities().getNativeToolCalls()).isFalse();
    assertThat(info.getCapabilities().getJsonFallback()).isTrue();
    assertThat(info.getCapabilities().getToolCallFormat())
        .isEqualTo(ToolCallFormat.TOOL_CALL_FORMAT_LMSTUDIO_NATIVE);
    assertThat(info.getCapabilities().getTools()).isTrue();
  }
}
