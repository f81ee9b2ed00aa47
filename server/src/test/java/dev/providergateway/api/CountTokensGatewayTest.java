package dev.providergateway.api;

import static dev.providergateway.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.testing.Requests;
import dev.providergateway.testing.Statuses;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.CountTokensRequest;
import dev.providergateway.v1.CountTokensResponse;
import dev.providergateway.v1.Message;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code CountTokens} end to end: Anthropic's {@code /v1/messages/count_tokens} and Gemini's {@code
 * :countTokens} are asked (bodies asserted field by field); other providers get the local estimate,
 * marked as such, with no upstream call.
 */
class CountTokensGatewayTest {
  private final FakeUpstream anthropic = FakeUpstream.start();
  private final FakeUpstream gemini = FakeUpstream.start();
  private final FakeUpstream openai = FakeUpstream.start();
  private final TestGateway gateway =
      new TestGateway(
          ConfigLoader.parse(
              """
      providers:
        - name: claude
          type: anthropic
          base_url: %s
          api_key: sk-ant-test-key-123456
          default_model: claude-sonnet-4-5
        - name: gem
          type: gemini
          base_url: %s
          api_key: AIzaSyGatewayTestKey0000
          default_model: gemini-2.5-flash
        - name: oai
          type: openai
          base_url: %s/v1
          api_key: sk-gateway-test-0123456789
          default_model: gpt-4o-mini
      """
                  .formatted(anthropic.baseUri(), gemini.baseUri(), openai.baseUri()),
              Map.of()));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
    anthropic.close();
    gemini.close();
    openai.close();
  }

  private static Message system(String text) {
    return Message.newBuilder().setRole("system").setContent(text).build();
  }

  @Test
  void countTokens_anthropic_nativeCountOfSystemMessagesAndTools() throws Exception {
    anthropic.enqueue(Response.json(200, "{\"input_tokens\":2095}"));

    CountTokensResponse response =
        gateway
            .blocking()
            .countTokens(
                CountTokensRequest.newBuilder()
                    .setRequest(
                        chat("claude", "Hello, world")
                            .addMessages(0, system("You are a scientist"))
                            .addTools(Requests.weatherTool())
                            .setMaxTokens(100)
                            .setTemperature(0.5))
                    .build());

    assertThat(response.getInputTokens()).isEqualTo(2095);
    assertThat(response.getEstimated()).isFalse();
    assertThat(response.getProvider()).isEqualTo("claude");
    assertThat(response.getModel()).isEqualTo("claude-sonnet-4-5");
    var sent = anthropic.takeRequest();
    assertThat(sent.path()).isEqualTo("/v1/messages/count_tokens");
    assertThat(sent.header("x-api-key")).isEqualTo("sk-ant-test-key-123456");
    assertThat(sent.header("anthropic-version")).isEqualTo("2023-06-01");
    var body = sent.json();
    assertThat(body.path("model").asText()).isEqualTo("claude-sonnet-4-5");
    assertThat(body.path("system").get(0).path("text").asText()).isEqualTo("You are a scientist");
    assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("user");
    assertThat(body.path("messages").get(0).path("content").get(0).path("text").asText())
        .isEqualTo("Hello, world");
    assertThat(body.path("tools").get(0).path("name").asText()).isEqualTo("get_weather");
    assertThat(body.path("tools").get(0).has("input_schema")).isTrue();
    // The counting endpoint takes no sampling or output-length parameters.
    assertThat(body.has("max_tokens")).isFalse();
    assertThat(body.has("temperature")).isFalse();
    assertThat(body.has("stream")).isFalse();
  }

  @Test
  void countTokens_gemini_nativeCountOfTheWholeGenerateContentRequest() throws Exception {
    gemini.enqueue(
        Response.json(
            200,
            "{\"totalTokens\":31,\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":31}]}"));

    CountTokensResponse response =
        gateway
            .blocking()
            .countTokens(
                CountTokensRequest.newBuilder()
                    .setRequest(
                        chat("gem", "The quick brown fox jumps over the lazy dog.")
                            .addMessages(0, system("Be brief")))
                    .build());

    assertThat(response.getInputTokens()).isEqualTo(31);
    assertThat(response.getEstimated()).isFalse();
    var sent = gemini.takeRequest();
    assertThat(sent.path()).isEqualTo("/v1beta/models/gemini-2.5-flash:countTokens");
    assertThat(sent.header("x-goog-api-key")).isEqualTo("AIzaSyGatewayTestKey0000");
    var inner = sent.json().path("generateContentRequest");
    assertThat(sent.json().size()).isEqualTo(1);
    assertThat(inner.path("model").asText()).isEqualTo("models/gemini-2.5-flash");
    assertThat(inner.path("contents").get(0).path("role").asText()).isEqualTo("user");
    assertThat(inner.path("contents").get(0).path("parts").get(0).path("text").asText())
        .isEqualTo("The quick brown fox jumps over the lazy dog.");
    assertThat(inner.path("systemInstruction").path("parts").get(0).path("text").asText())
        .isEqualTo("Be brief");
  }

  @Test
  void countTokens_openAi_localEstimateMarkedEstimatedWithoutUpstreamCall() {
    // 16 characters of text: 4 tokens, plus 4 of framing for the one message.
    CountTokensResponse response =
        gateway
            .blocking()
            .countTokens(
                CountTokensRequest.newBuilder()
                    .setRequest(chat("oai", "abcdefghijklmnop"))
                    .build());

    assertThat(response.getInputTokens()).isEqualTo(8);
    assertThat(response.getEstimated()).isTrue();
    assertThat(response.getProvider()).isEqualTo("oai");
    assertThat(response.getModel()).isEqualTo("gpt-4o-mini");
    assertThat(openai.requestCount()).isZero();
  }

  @Test
  void countTokens_upstreamError_mappedLikeChat() {
    anthropic.enqueue(
        Response.json(
            401,
            "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}"));

    var failure =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                gateway
                    .blocking()
                    .countTokens(
                        CountTokensRequest.newBuilder().setRequest(chat("claude", "hi")).build()));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(Statuses.errorInfo(Statuses.of(failure)).getReason()).isEqualTo("PROVIDER_AUTH");
  }

  @Test
  void countTokens_invalidChatRequest_invalidArgumentNamingTheField() {
    var failure =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                gateway
                    .blocking()
                    .countTokens(
                        CountTokensRequest.newBuilder()
                            .setRequest(
                                chat("claude", "hi")
                                    .addMessages(Message.newBuilder().setRole("wizard")))
                            .build()));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(Statuses.violatedFields(Statuses.of(failure))).contains("messages[1].role");
    assertThat(anthropic.requestCount()).isZero();
  }
}
