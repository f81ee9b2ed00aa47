package dev.providergateway.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.ProviderContractTest;
import dev.providergateway.provider.testing.TestTransport;
import java.net.URI;
import java.util.List;

/**
 * The provider contract over OpenAI Chat Completions, with fixtures from OpenAI's API reference.
 */
class OpenAiContractTest extends ProviderContractTest {
  private static final String USAGE =
      "{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19,\"prompt_tokens_details\":{\"cached_tokens\":4}}";

  @Override
  protected Provider newProvider(URI baseUri) {
    return new OpenAiProviderFactory()
        .create(
            TestTransport.settings("openai-test", "openai")
                .baseUrl(baseUri + "/v1")
                .apiKey("sk-test-key-123456")
                .build());
  }

  @Override
  protected Response chatText() {
    return Response.json(
        200,
        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"test-model-2024\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
            + TEXT
            + "\",\"refusal\":null},"
            + "\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":"
            + USAGE
            + "}");
  }

  private static String chunk(String delta, String finish) {
    return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"test-model-2024\","
        + "\"choices\":[{\"index\":0,\"delta\":"
        + delta
        + ",\"logprobs\":null,\"finish_reason\":"
        + finish
        + "}]}\n\n";
  }

  private static final String USAGE_CHUNK =
      "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"test-model-2024\",\"choices\":[],\"usage\":"
          + USAGE
          + "}\n\n";

  @Override
  protected Response streamText() {
    return Response.sse(
        List.of(
            chunk("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", "null"),
            chunk("{\"content\":\"Hello\"}", "null"),
            chunk("{\"content\":\" from the\"}", "null"),
            chunk("{\"content\":\" fake upstream.\"}", "null"),
            chunk("{}", "\"stop\""),
            USAGE_CHUNK,
            "data: [DONE]\n\n"));
  }

  @Override
  protected Response chatToolCall() {
    return Response.json(
        200,
        "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion\",\"model\":\"test-model\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_abc\",\"type\":\"function\","
            + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}],"
            + "\"usage\":"
            + USAGE
            + "}");
  }

  @Override
  protected Response chatParallelToolCalls() {
    return Response.json(
        200,
        "{\"id\":\"chatcmpl-3\",\"object\":\"chat.completion\",\"model\":\"test-model\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
            + "{\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
            + "{\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"{\\\"tz\\\":\\\"Europe/Paris\\\"}\"}}"
            + "]},\"finish_reason\":\"tool_calls\"}],\"usage\":"
            + USAGE
            + "}");
  }

  @Override
  protected Response streamParallelToolCalls() {
    return Response.sse(
        List.of(
            chunk("{\"role\":\"assistant\",\"content\":null}", "null"),
            chunk(
                "{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}",
                "null"),
            chunk(
                "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"ci\"}}]}",
                "null"),
            chunk(
                "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"ty\\\":\\\"Paris\\\"}\"}}]}",
                "null"),
            chunk(
                "{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"\"}}]}",
                "null"),
            chunk(
                "{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{\\\"tz\\\":\\\"Europe/Paris\\\"}\"}}]}",
                "null"),
            chunk("{}", "\"tool_calls\""),
            USAGE_CHUNK,
            "data: [DONE]\n\n"));
  }

  @Override
  protected Response streamThenHang() {
    return Response.sse(List.of(chunk("{\"role\":\"assistant\",\"content\":\"Hello\"}", "null")))
        .thenHang(": keep-alive\n\n");
  }

  @Override
  protected Response streamThenDie() {
    return Response.sse(List.of(chunk("{\"role\":\"assistant\",\"content\":\"Hello\"}", "null")))
        .thenAbort();
  }

  @Override
  protected Response streamMalformed() {
    return Response.sse(
        List.of(
            chunk("{\"content\":\"Hello\"}", "null"),
            "data: {\"choices\":[{\"delta\":{\"content\n\n"));
  }

  @Override
  protected Response error(int status, String message, String code) {
    return Response.json(
        status,
        "{\"error\":{\"message\":\""
            + message
            + "\",\"type\":\""
            + code
            + "\",\"param\":null,\"code\":\""
            + code
            + "\"}}");
  }

  @Override
  protected void assertToolRoundTripSent(JsonNode body) {
    JsonNode messages = body.path("messages");
    assertThat(messages).hasSize(3);
    JsonNode assistant = messages.get(1);
    assertThat(assistant.path("role").asText()).isEqualTo("assistant");
    assertThat(assistant.path("tool_calls").get(0).path("id").asText()).isEqualTo("call_1");
    assertThat(assistant.path("tool_calls").get(0).path("type").asText()).isEqualTo("function");
    assertThat(assistant.path("tool_calls").get(0).path("function").path("arguments").asText())
        .isEqualTo(WEATHER_ARGS);
    JsonNode tool = messages.get(2);
    assertThat(tool.path("role").asText()).isEqualTo("tool");
    assertThat(tool.path("tool_call_id").asText()).isEqualTo("call_1");
    assertThat(tool.path("content").asText()).isEqualTo("sunny, 21C");
    assertThat(body.path("tools").get(0).path("function").path("name").asText())
        .isEqualTo("get_weather");
  }

  @Override
  protected Response embedAnswer() {
    return Response.json(
        200,
        "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.5,-0.25]},"
            + "{\"object\":\"embedding\",\"index\":1,\"embedding\":[1.0,0.0]}],"
            + "\"model\":\"embed-model\",\"usage\":{\"prompt_tokens\":12,\"total_tokens\":12}}");
  }

  @Override
  protected void assertEmbedRequestSent(FakeUpstream.RecordedRequest request) {
    assertThat(request.path()).isEqualTo("/v1/embeddings");
    assertThat(request.json().path("model").asText()).isEqualTo("embed-model");
    assertThat(request.json().path("input").get(0).asText()).isEqualTo("first text");
    assertThat(request.json().path("input").get(1).asText()).isEqualTo("second text");
    assertThat(request.json().path("encoding_format").asText()).isEqualTo("float");
  }
}
