package dev.providergateway.provider.anthropic;

import static dev.providergateway.provider.anthropic.AnthropicFixtures.MESSAGE_STOP;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.PING;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.TEXT_BLOCK;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.blockStart;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.blockStop;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.jsonDelta;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.message;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.messageDelta;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.messageStart;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.textDelta;
import static dev.providergateway.provider.anthropic.AnthropicFixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.ProviderContractTest;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The provider contract over Anthropic Messages. Usage is 8 uncached input tokens plus 4 read from
 * the prompt cache, which the gateway reports as the contract's 12 prompt tokens.
 */
class AnthropicContractTest extends ProviderContractTest {
  private static final String USAGE = usage(8, 0, 4, 7);
  private static final String START_USAGE = usage(8, 0, 4, 1);

  @Override
  protected Provider newProvider(URI baseUri) {
    return new AnthropicProviderFactory().create(AnthropicFixtures.settings(baseUri, Map.of()));
  }

  @Override
  protected Response chatText() {
    // Two text blocks, as Anthropic sends around citations: the content is their concatenation.
    return message(
        "[{\"type\":\"text\",\"text\":\"Hello from\"},{\"type\":\"text\",\"text\":\" the fake upstream.\"}]",
        "end_turn",
        USAGE);
  }

  @Override
  protected Response streamText() {
    return Response.sse(
        List.of(
            messageStart(START_USAGE),
            blockStart(0, TEXT_BLOCK),
            PING,
            textDelta(0, "Hello"),
            textDelta(0, " from the"),
            textDelta(0, " fake upstream."),
            blockStop(0),
            messageDelta("end_turn", "{\"output_tokens\":7}"),
            MESSAGE_STOP));
  }

  @Override
  protected Response chatToolCall() {
    return message(
        "[{\"type\":\"text\",\"text\":\"I'll look that up.\"},{\"type\":\"tool_use\","
            + "\"id\":\"toolu_01A09q90qw90lq917835lq9\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]",
        "tool_use",
        USAGE);
  }

  @Override
  protected Response chatParallelToolCalls() {
    return message(
        "[{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}},"
            + "{\"type\":\"tool_use\",\"id\":\"toolu_02\",\"name\":\"get_time\",\"input\":{\"tz\":\"Europe/Paris\"}}]",
        "tool_use",
        USAGE);
  }

  @Override
  protected Response streamParallelToolCalls() {
    // A text block first, so content block indexes (1, 2) differ from tool call indexes (0, 1).
    return Response.sse(
        List.of(
            messageStart(START_USAGE),
            blockStart(0, TEXT_BLOCK),
            textDelta(0, "Checking both."),
            blockStop(0),
            blockStart(
                1,
                "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{}}"),
            jsonDelta(1, ""),
            jsonDelta(1, "{\"ci"),
            jsonDelta(1, "ty\": \"Paris\"}"),
            blockStop(1),
            blockStart(
                2,
                "{\"type\":\"tool_use\",\"id\":\"toolu_02\",\"name\":\"get_time\",\"input\":{}}"),
            jsonDelta(2, "{\"tz\": \"Eur"),
            PING,
            jsonDelta(2, "ope/Paris\"}"),
            blockStop(2),
            messageDelta("tool_use", "{\"output_tokens\":7}"),
            MESSAGE_STOP));
  }

  @Override
  protected Response streamThenHang() {
    return Response.sse(
            List.of(messageStart(START_USAGE), blockStart(0, TEXT_BLOCK), textDelta(0, "Hello")))
        .thenHang(PING);
  }

  @Override
  protected Response streamThenDie() {
    return Response.sse(
            List.of(messageStart(START_USAGE), blockStart(0, TEXT_BLOCK), textDelta(0, "Hello")))
        .thenAbort();
  }

  @Override
  protected Response streamMalformed() {
    return Response.sse(
        List.of(
            messageStart(START_USAGE),
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"te\n\n"));
  }

  @Override
  protected Response error(int status, String message, String code) {
    return AnthropicFixtures.error(status, anthropicType(code), message);
  }

  /** Anthropic's error type for the contract table's generic codes. */
  private static String anthropicType(String code) {
    return switch (code) {
      case "rate_limit_exceeded", "insufficient_quota" -> "rate_limit_error";
      case "model_not_found" -> "not_found_error";
      case "server_error" -> "api_error";
      default -> code;
    };
  }

  @Override
  protected void assertToolRoundTripSent(JsonNode body) {
    JsonNode messages = body.path("messages");
    assertThat(messages).hasSize(3);
    assertThat(messages.get(1).path("role").asText()).isEqualTo("assistant");
    JsonNode use = messages.get(1).path("content").get(0);
    assertThat(use.path("type").asText()).isEqualTo("tool_use");
    assertThat(use.path("id").asText()).isEqualTo("call_1");
    assertThat(use.path("name").asText()).isEqualTo("get_weather");
    assertThat(use.path("input")).isEqualTo(Json.tryParse(WEATHER_ARGS));
    assertThat(messages.get(2).path("role").asText()).isEqualTo("user");
    JsonNode result = messages.get(2).path("content").get(0);
    assertThat(result.path("type").asText()).isEqualTo("tool_result");
    assertThat(result.path("tool_use_id").asText()).isEqualTo("call_1");
    assertThat(result.path("content").asText()).isEqualTo("sunny, 21C");
    assertThat(body.path("tools").get(0).path("name").asText()).isEqualTo("get_weather");
    assertThat(body.path("tools").get(0).path("input_schema").path("type").asText())
        .isEqualTo("object");
  }

  @Override
  protected Response countTokensAnswer() {
    return Response.json(200, "{\"input_tokens\":12}");
  }

  @Override
  protected void assertCountTokensRequestSent(FakeUpstream.RecordedRequest request) {
    assertThat(request.path()).isEqualTo("/v1/messages/count_tokens");
    assertThat(request.json().path("messages").get(0).path("content").get(0).path("text").asText())
        .isEqualTo("Hello");
    assertThat(request.json().has("max_tokens")).isFalse();
  }
}
