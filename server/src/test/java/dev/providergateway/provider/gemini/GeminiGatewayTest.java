package dev.providergateway.provider.gemini;

import static dev.providergateway.provider.gemini.GeminiContractTest.chunk;
import static dev.providergateway.testing.Requests.chat;
import static dev.providergateway.testing.Requests.struct;
import static dev.providergateway.testing.Requests.weatherTool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.testing.Statuses;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.Message;
import dev.providergateway.v1.ReasoningBlock;
import dev.providergateway.v1.StopReason;
import dev.providergateway.v1.StreamChunk;
import dev.providergateway.v1.ToolCall;
import dev.providergateway.v1.ToolDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Gemini end to end: gRPC in, the real gateway (validation, dispatch, assembly), Gemini's wire out.
 */
class GeminiGatewayTest {
  private final FakeUpstream upstream = FakeUpstream.start();
  private final TestGateway gateway =
      new TestGateway(
          ConfigLoader.parse(
              """
      providers:
        - name: gemini
          type: gemini
          base_url: %s
          api_key: AIzaSyGatewayTestKey0000
          default_model: gemini-3-pro-preview
      """
                  .formatted(upstream.baseUri()),
              Map.of()));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
    upstream.close();
  }

  @Test
  void stream_thoughtsTextAndParallelCalls_deltasThenOneFinalChunkWithSignedCallsAndUsage()
      throws Exception {
    String usage =
        "\"usageMetadata\": {\"promptTokenCount\": 40,\"candidatesTokenCount\": 20,\"thoughtsTokenCount\": 15,"
            + "\"cachedContentTokenCount\": 32,\"totalTokenCount\": 75}";
    upstream.enqueue(
        Response.sse(
            List.of(
                chunk("[{\"text\": \"The user wants weather.\",\"thought\": true}]", "", usage),
                chunk("[{\"text\": \"Checking.\"}]", "", usage),
                chunk(
                    "[{\"functionCall\": {\"name\": \"get_weather\",\"args\": {\"city\": \"Paris\"}},\"thoughtSignature\": \"c2lnLWE=\"}]",
                    "",
                    usage),
                chunk(
                    "[{\"functionCall\": {\"name\": \"get_weather\",\"args\": {\"city\": \"Rome\"}}}]",
                    ",\"finishReason\": \"STOP\"",
                    usage))));

    List<StreamChunk> chunks = new ArrayList<>();
    gateway.blocking().stream(
            chat("gemini", "weather in Paris and Rome?").addTools(weatherTool()).build())
        .forEachRemaining(chunks::add);

    StreamChunk last = chunks.get(chunks.size() - 1);
    assertThat(chunks.stream().filter(StreamChunk::getIsFinal)).hasSize(1);
    assertThat(last.getIsFinal()).isTrue();
    assertThat(chunks.stream().map(StreamChunk::getReasoningContent).reduce("", String::concat))
        .isEqualTo("The user wants weather.");
    assertThat(chunks.stream().map(StreamChunk::getContent).reduce("", String::concat))
        .isEqualTo("Checking.");
    assertThat(chunks.stream().mapToInt(StreamChunk::getToolCallDeltasCount).sum()).isEqualTo(2);
    assertThat(last.getToolCallsList())
        .extracting(ToolCall::getId, ToolCall::getArguments, ToolCall::getSignature)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("call_0", "{\"city\":\"Paris\"}", "c2lnLWE="),
            org.assertj.core.groups.Tuple.tuple("call_1", "{\"city\":\"Rome\"}", ""));
    assertThat(last.getStopReason()).isEqualTo(StopReason.STOP_REASON_TOOL_CALLS);
    assertThat(last.getNativeStopReason()).isEqualTo("STOP");
    assertThat(last.getUsage().getPromptTokens()).isEqualTo(40);
    assertThat(last.getUsage().getCompletionTokens()).isEqualTo(35);
    assertThat(last.getUsage().getReasoningTokens()).isEqualTo(15);
    assertThat(last.getUsage().getCacheReadTokens()).isEqualTo(32);
    assertThat(last.getProvider()).isEqualTo("gemini");
    assertThat(upstream.takeRequest().path())
        .isEqualTo("/v1beta/models/gemini-3-pro-preview:streamGenerateContent");
  }

  @Test
  void chat_assistantWithSignaturesSentBack_partsCarryThoughtSignatures() throws Exception {
    upstream.enqueue(GeminiContractTest.json(GeminiContractTest.text("It is sunny."), "STOP"));
    ChatRequest request =
        chat("gemini", "weather in Paris?")
            .addTools(weatherTool())
            .addMessages(
                Message.newBuilder()
                    .setRole("assistant")
                    .addReasoning(
                        ReasoningBlock.newBuilder().setText("").setSignature("c2lnLXRleHQ="))
                    .addToolCalls(
                        ToolCall.newBuilder()
                            .setId("call_0")
                            .setName("get_weather")
                            .setArguments("{\"city\":\"Paris\"}")
                            .setSignature("c2lnLWE=")))
            .addMessages(
                Message.newBuilder().setRole("tool").setToolCallId("call_0").setContent("sunny"))
            .build();

    assertThat(gateway.blocking().chat(request).getContent()).isEqualTo("It is sunny.");

    JsonNode body = upstream.takeRequest().json();
    assertThat(body.at("/contents/1/parts/0/thoughtSignature").asText()).isEqualTo("c2lnLWE=");
    assertThat(body.at("/contents/2/parts/0/functionResponse/name").asText())
        .isEqualTo("get_weather");
  }

  @Test
  void stream_toolSchemaGeminiCannotExpress_invalidArgumentNamingTheField() {
    ToolDefinition tree =
        ToolDefinition.newBuilder()
            .setName("walk")
            .setDescription("Walks a tree")
            .setParameters(
                struct(
                    "{\"type\":\"object\",\"properties\":{\"root\":{\"$ref\":\"#/$defs/Node\"}},"
                        + "\"$defs\":{\"Node\":{\"type\":\"object\",\"properties\":{\"children\":{\"type\":\"array\","
                        + "\"items\":{\"$ref\":\"#/$defs/Node\"}}}}}}"))
            .build();

    StatusRuntimeException e =
        catchThrowableOfType(
            () ->
                gateway.blocking().stream(
                        chat("gemini", "walk it").addTools(weatherTool()).addTools(tree).build())
                    .hasNext(),
            StatusRuntimeException.class);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(Statuses.violatedFields(Statuses.of(e)))
        .containsExactly("tools[1].parameters.properties.root.properties.children.items.$ref");
    assertThat(e.getStatus().getDescription()).contains("recursive");
    assertThat(upstream.pendingRequests()).isZero();
  }
}
