package dev.providergateway.provider.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.testing.EventCollector;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.ProviderContractTest;
import dev.providergateway.provider.testing.TestTransport;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The provider contract over Ollama's native {@code /api/chat}, with fixtures in Ollama's wire
 * format (its API reference): NDJSON streams ending in a {@code "done": true} line with the counts,
 * tool calls whole with object arguments and no ids, errors as {@code {"error": "..."}}.
 */
class OllamaContractTest extends ProviderContractTest {
  static final String FINAL_STATS =
      "\"total_duration\":4883583458,\"load_duration\":1334875,\"prompt_eval_count\":12,"
          + "\"prompt_eval_duration\":342546000,\"eval_count\":7,\"eval_duration\":4535599000";

  @Override
  protected Provider newProvider(URI baseUri) {
    return new OllamaProviderFactory()
        .create(
            TestTransport.settings("ollama-test", "ollama").baseUrl(baseUri.toString()).build());
  }

  static String line(String message) {
    return "{\"model\":\"test-model\",\"created_at\":\"2025-01-01T00:00:00.000000Z\",\"message\":"
        + message
        + ",\"done\":false}";
  }

  static String doneLine(String doneReason) {
    return "{\"model\":\"test-model\",\"created_at\":\"2025-01-01T00:00:01.000000Z\","
        + "\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done_reason\":\""
        + doneReason
        + "\",\"done\":true,"
        + FINAL_STATS
        + "}";
  }

  static String text(String content) {
    return line("{\"role\":\"assistant\",\"content\":\"" + content + "\"}");
  }

  static final String WEATHER_CALL =
      "{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}}";
  static final String TIME_CALL =
      "{\"function\":{\"name\":\"get_time\",\"arguments\":{\"tz\":\"Europe/Paris\"}}}";

  private static Response chat(String message) {
    return Response.json(
        200,
        "{\"model\":\"test-model\",\"created_at\":\"2025-01-01T00:00:01.000000Z\",\"message\":"
            + message
            + ",\"done_reason\":\"stop\",\"done\":true,"
            + FINAL_STATS
            + "}");
  }

  @Override
  protected Response chatText() {
    return chat("{\"role\":\"assistant\",\"content\":\"" + TEXT + "\"}");
  }

  @Override
  protected Response streamText() {
    return Response.ndjson(
        List.of(text("Hello"), text(" from the"), text(" fake upstream."), doneLine("stop")));
  }

  @Override
  protected Response chatToolCall() {
    return chat("{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[" + WEATHER_CALL + "]}");
  }

  @Override
  protected Response chatParallelToolCalls() {
    return chat(
        "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":["
            + WEATHER_CALL
            + ","
            + TIME_CALL
            + "]}");
  }

  @Override
  protected Response streamParallelToolCalls() {
    // Ollama sends each call whole, in the chunk where the model finished it.
    return Response.ndjson(
        List.of(
            line("{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[" + WEATHER_CALL + "]}"),
            line("{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[" + TIME_CALL + "]}"),
            doneLine("stop")));
  }

  @Override
  protected Response streamThenHang() {
    return Response.ndjson(List.of(text("Hello"))).thenHang("\n");
  }

  @Override
  protected Response streamThenDie() {
    return Response.ndjson(List.of(text("Hello"))).thenAbort();
  }

  @Override
  protected Response streamMalformed() {
    return Response.ndjson(
        List.of(text("Hello"), "{\"model\":\"test-model\",\"message\":{\"content"));
  }

  @Override
  protected Response error(int status, String message, String code) {
    return Response.json(status, "{\"error\":\"" + message + "\"}");
  }

  @Override
  protected void assertToolRoundTripSent(JsonNode body) {
    JsonNode messages = body.path("messages");
    assertThat(messages).hasSize(3);
    JsonNode assistant = messages.get(1);
    assertThat(assistant.path("role").asText()).isEqualTo("assistant");
    JsonNode fn = assistant.path("tool_calls").get(0).path("function");
    assertThat(fn.path("name").asText()).isEqualTo("get_weather");
    assertThat(fn.path("arguments").isObject()).as("Ollama takes arguments as an object").isTrue();
    assertThat(fn.path("arguments").path("city").asText()).isEqualTo("Paris");
    JsonNode tool = messages.get(2);
    assertThat(tool.path("role").asText()).isEqualTo("tool");
    assertThat(tool.path("tool_name").asText()).isEqualTo("get_weather");
    assertThat(tool.path("content").asText()).isEqualTo("sunny, 21C");
    assertThat(tool.has("tool_call_id")).isFalse();
    assertThat(body.path("tools").get(0).path("function").path("name").asText())
        .isEqualTo("get_weather");
  }

  @Test
  void chat_modelNotPulled_modelNotFoundNamingTheModel() {
    upstream.enqueue(
        Response.json(
            404, "{\"error\":\"model \\\"test-model\\\" not found, try pulling it first\"}"));

    Throwable t = unwrap(catchThrowable(() -> chat(request("hi").build())));

    assertThat(t).isInstanceOf(ProviderException.ModelNotFound.class);
    assertThat(t.getMessage()).contains("model \"test-model\" not found, try pulling it first");
    assertThat(((ProviderException) t).origin().model()).isEqualTo("test-model");
  }

  @Test
  void stream_modelNotPulled_modelNotFound() throws Exception {
    upstream.enqueue(
        Response.json(
            404, "{\"error\":\"model \\\"test-model\\\" not found, try pulling it first\"}"));

    EventCollector events = EventCollector.of(provider.stream(request("hi").build(), context()));

    assertThat(events.await()).isInstanceOf(ProviderException.ModelNotFound.class);
  }

  @Test
  void stream_errorLineMidStream_failsAfterTheDeltas() throws Exception {
    upstream.enqueue(
        Response.ndjson(
            List.of(
                text("Hello"),
                "{\"error\":\"an error was encountered while running the model\"}")));

    EventCollector events = EventCollector.of(provider.stream(request("hi").build(), context()));

    Throwable error = events.await();
    assertThat(error)
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("an error was encountered while running the model");
    assertThat(events.content()).isEqualTo("Hello");
  }

  @Test
  void stream_blankLinesBetweenObjects_skipped() throws Exception {
    upstream.enqueue(
        Response.ndjson(List.of(text("Hello"), "", "  ", text(" there"), doneLine("stop"))));

    EventCollector events = EventCollector.of(provider.stream(request("hi").build(), context()));

    assertThat(events.await()).isNull();
    assertThat(events.content()).isEqualTo("Hello there");
  }

  @Override
  protected Response embedAnswer() {
    return Response.json(
        200,
        "{\"model\":\"embed-model\",\"embeddings\":[[0.5,-0.25],[1.0,0.0]],\"prompt_eval_count\":12}");
  }

  @Override
  protected void assertEmbedRequestSent(FakeUpstream.RecordedRequest request) {
    assertThat(request.path()).isEqualTo("/api/embed");
    assertThat(request.json().path("model").asText()).isEqualTo("embed-model");
    assertThat(request.json().path("input").get(0).asText()).isEqualTo("first text");
    assertThat(request.json().path("input").get(1).asText()).isEqualTo("second text");
  }
}
