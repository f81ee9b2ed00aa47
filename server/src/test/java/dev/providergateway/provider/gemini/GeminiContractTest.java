package dev.providergateway.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.ProviderContractTest;
import dev.providergateway.provider.testing.TestTransport;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The provider contract over the Gemini API, with fixtures in Gemini's wire format as its API
 * reference documents it: pretty-printed JSON for {@code generateContent}, and for {@code
 * streamGenerateContent?alt=sse} one compact {@code data:} chunk per event framed by {@code
 * \r\n\r\n}, no {@code [DONE]} marker, the finish reason and the final usage on the last chunk.
 */
class GeminiContractTest extends ProviderContractTest {
  static final String USAGE =
      "\"usageMetadata\": {\"promptTokenCount\": 12,\"candidatesTokenCount\": 7,"
          + "\"totalTokenCount\": 19,\"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 12}]}";
  private static final String PARTIAL_USAGE =
      "\"usageMetadata\": {\"promptTokenCount\": 12,\"totalTokenCount\": 12,"
          + "\"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 12}]}";
  private static final Map<String, String> GOOGLE_STATUS =
      Map.of(
          "authentication_error",
          "UNAUTHENTICATED",
          "permission_error",
          "PERMISSION_DENIED",
          "rate_limit_exceeded",
          "RESOURCE_EXHAUSTED",
          "insufficient_quota",
          "RESOURCE_EXHAUSTED",
          "model_not_found",
          "NOT_FOUND",
          "invalid_request_error",
          "INVALID_ARGUMENT",
          "server_error",
          "INTERNAL",
          "overloaded_error",
          "UNAVAILABLE");

  @Override
  protected Provider newProvider(URI baseUri) {
    return new GeminiProviderFactory()
        .create(
            TestTransport.settings("gemini-test", "gemini")
                .baseUrl(baseUri.toString())
                .apiKey("AIzaSyTestKey0123456789")
                .build());
  }

  /** A non-streamed response whose candidate has {@code parts} and {@code finishReason}. */
  static Response json(String parts, String finishReason) {
    return Response.json(
        200,
        "{\n  \"candidates\": [\n    {\n      \"content\": {\n        \"parts\": "
            + parts
            + ",\n        \"role\": \"model\"\n      },\n      \"finishReason\": \""
            + finishReason
            + "\",\n      \"index\": 0\n"
            + "    }\n  ],\n  "
            + USAGE
            + ",\n  \"modelVersion\": \"gemini-2.5-flash\",\n  \"responseId\": \"resp-1\"\n}\n");
  }

  /** One SSE chunk as Google frames it; {@code tail} holds finishReason and usage when set. */
  static String chunk(String parts, String candidateTail, String usage) {
    return "data: {\"candidates\": [{\"content\": {\"parts\": "
        + parts
        + ",\"role\": \"model\"}"
        + candidateTail
        + ",\"index\": 0}],"
        + usage
        + ",\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"resp-1\"}\r\n\r\n";
  }

  static String text(String value) {
    return "[{\"text\": \"" + value + "\"}]";
  }

  @Override
  protected Response chatText() {
    return json(text(TEXT), "STOP");
  }

  @Override
  protected Response streamText() {
    return Response.sse(
        List.of(
            chunk(text("Hello"), "", PARTIAL_USAGE),
            chunk(text(" from the"), "", PARTIAL_USAGE),
            chunk(text(" fake upstream."), ",\"finishReason\": \"STOP\"", USAGE)));
  }

  @Override
  protected Response chatToolCall() {
    return json(
        "[{\"functionCall\": {\"name\": \"get_weather\",\"args\": {\"city\": \"Paris\"}},"
            + "\"thoughtSignature\": \"CiQBVKhc7sig1\"}]",
        "STOP");
  }

  @Override
  protected Response chatParallelToolCalls() {
    return json(
        "[{\"functionCall\": {\"name\": \"get_weather\",\"args\": {\"city\": \"Paris\"}},\"thoughtSignature\": \"sig-a\"},"
            + "{\"functionCall\": {\"name\": \"get_time\",\"args\": {\"tz\": \"Europe/Paris\"}}}]",
        "STOP");
  }

  @Override
  protected Response streamParallelToolCalls() {
    return Response.sse(
        List.of(
            chunk(
                "[{\"functionCall\": {\"name\": \"get_weather\",\"args\": {\"city\": \"Paris\"}},\"thoughtSignature\": \"sig-a\"}]",
                "",
                PARTIAL_USAGE),
            chunk(
                "[{\"functionCall\": {\"name\": \"get_time\",\"args\": {\"tz\": \"Europe/Paris\"}}}]",
                ",\"finishReason\": \"STOP\"",
                USAGE)));
  }

  @Override
  protected Response streamThenHang() {
    return Response.sse(List.of(chunk(text("Hello"), "", PARTIAL_USAGE))).thenHang("\r\n");
  }

  @Override
  protected Response streamThenDie() {
    return Response.sse(List.of(chunk(text("Hello"), "", PARTIAL_USAGE))).thenAbort();
  }

  @Override
  protected Response streamMalformed() {
    return Response.sse(
        List.of(
            chunk(text("Hello"), "", PARTIAL_USAGE),
            "data: {\"candidates\": [{\"content\": {\"parts\r\n\r\n"));
  }

  @Override
  protected Response error(int status, String message, String code) {
    return googleError(status, message, GOOGLE_STATUS.getOrDefault(code, "UNKNOWN"));
  }

  /** An error body in Google's shape. */
  static Response googleError(int status, String message, String googleStatus) {
    return Response.json(
        status,
        "{\n  \"error\": {\n    \"code\": "
            + status
            + ",\n    \"message\": \""
            + message
            + "\",\n    \"status\": \""
            + googleStatus
            + "\"\n  }\n}\n");
  }

  @Override
  protected void assertToolRoundTripSent(JsonNode body) {
    JsonNode contents = body.path("contents");
    assertThat(contents).hasSize(3);
    assertThat(contents.get(0).path("role").asText()).isEqualTo("user");
    JsonNode model = contents.get(1);
    assertThat(model.path("role").asText()).isEqualTo("model");
    JsonNode call = model.path("parts").get(0).path("functionCall");
    assertThat(call.path("name").asText()).isEqualTo("get_weather");
    assertThat(call.path("args").toString()).isEqualTo(WEATHER_ARGS);
    assertThat(call.has("id")).as("the generated id call_1 is not sent to Gemini").isFalse();
    JsonNode result = contents.get(2);
    assertThat(result.path("role").asText()).isEqualTo("user");
    JsonNode response = result.path("parts").get(0).path("functionResponse");
    assertThat(response.path("name").asText()).isEqualTo("get_weather");
    assertThat(response.path("response").path("result").asText()).isEqualTo("sunny, 21C");
    assertThat(body.path("tools").get(0).path("functionDeclarations").get(0).path("name").asText())
        .isEqualTo("get_weather");
  }

  @Override
  protected Response embedAnswer() {
    return Response.json(200, "{\"embeddings\":[{\"values\":[0.5,-0.25]},{\"values\":[1.0,0.0]}]}");
  }

  @Override
  protected int embedUsage() {
    return 0;
  }

  @Override
  protected void assertEmbedRequestSent(FakeUpstream.RecordedRequest request) {
    assertThat(request.path()).isEqualTo("/v1beta/models/embed-model:batchEmbedContents");
    var requests = request.json().path("requests");
    assertThat(requests).hasSize(2);
    assertThat(requests.get(0).path("model").asText()).isEqualTo("models/embed-model");
    assertThat(requests.get(1).path("content").path("parts").get(0).path("text").asText())
        .isEqualTo("second text");
  }

  @Override
  protected Response countTokensAnswer() {
    return Response.json(200, "{\"totalTokens\":12}");
  }

  @Override
  protected void assertCountTokensRequestSent(FakeUpstream.RecordedRequest request) {
    assertThat(request.path()).endsWith(":countTokens");
    var inner = request.json().path("generateContentRequest");
    assertThat(inner.path("contents").get(0).path("parts").get(0).path("text").asText())
        .isEqualTo("Hello");
  }
}
