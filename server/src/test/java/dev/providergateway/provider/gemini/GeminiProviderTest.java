package dev.providergateway.provider.gemini;

import static dev.providergateway.provider.gemini.GeminiContractTest.chunk;
import static dev.providergateway.provider.gemini.GeminiContractTest.googleError;
import static dev.providergateway.provider.gemini.GeminiContractTest.json;
import static dev.providergateway.provider.gemini.GeminiContractTest.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.testing.EventCollector;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.RecordedRequest;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.TestTransport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Gemini provider over HTTP: URLs, auth header, signature round trip, Gemini's error quirks.
 */
class GeminiProviderTest {
  private static final String KEY = "AIzaSyTestKey0123456789";
  private final FakeUpstream upstream = FakeUpstream.start();
  private final Provider provider = provider(upstream.baseUri().toString());

  @AfterEach
  void stop() {
    provider.close();
    upstream.close();
  }

  private static Provider provider(String baseUrl) {
    return new GeminiProviderFactory()
        .create(TestTransport.settings("gemini", "gemini").baseUrl(baseUrl).apiKey(KEY).build());
  }

  private static ChatRequest.Builder request(String model) {
    return ChatRequest.builder(model).addMessage(Message.of(Role.USER, "hi"));
  }

  private static CallContext context() {
    return new CallContext("req-7", null);
  }

  private CompletionResponse chat(ChatRequest request) throws Exception {
    return provider.chat(request, context()).get(10, TimeUnit.SECONDS);
  }

  private Throwable chatFailure(ChatRequest request) {
    Throwable t = catchThrowable(() -> chat(request));
    return t instanceof ExecutionException ? t.getCause() : t;
  }

  @Test
  void chat_request_postsToModelGenerateContentWithKeyHeaderNotInUrl() throws Exception {
    upstream.enqueue(json(text("ok"), "STOP"));

    chat(request("gemini-2.5-pro").build());

    RecordedRequest r = upstream.takeRequest();
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/v1beta/models/gemini-2.5-pro:generateContent");
    assertThat(r.query()).isNull();
    assertThat(r.header("x-goog-api-key")).isEqualTo(KEY);
    assertThat(r.header("x-request-id")).isEqualTo("req-7");
    assertThat(r.body()).doesNotContain(KEY);
  }

  @Test
  void stream_request_postsToStreamGenerateContentWithAltSse() throws Exception {
    upstream.enqueue(
        Response.sse(
            List.of(chunk(text("ok"), ",\"finishReason\": \"STOP\"", GeminiContractTest.USAGE))));

    assertThat(
            EventCollector.of(provider.stream(request("gemini-2.5-flash").build(), context()))
                .await())
        .isNull();

    RecordedRequest r = upstream.takeRequest();
    assertThat(r.path()).isEqualTo("/v1beta/models/gemini-2.5-flash:streamGenerateContent");
    assertThat(r.query()).isEqualTo("alt=sse");
    assertThat(r.header("x-goog-api-key")).isEqualTo(KEY);
  }

  @Test
  void chat_baseUrlWithPrefixAndVersion_versionTakenFromUrl() throws Exception {
    Provider proxied = provider(upstream.baseUri() + "/gemini-proxy/v1alpha/");
    upstream.enqueue(json(text("ok"), "STOP"));

    proxied.chat(request("tunedModels/my-model").build(), context()).get(10, TimeUnit.SECONDS);

    assertThat(upstream.takeRequest().path())
        .isEqualTo("/gemini-proxy/v1alpha/tunedModels/my-model:generateContent");
  }

  @Test
  void chat_modelNameWithUnsafeCharacters_invalidRequest() {
    assertThat(catchThrowable(() -> provider.chat(request("gemini 2.5?x=1").build(), context())))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void chat_thoughtSignatures_roundTripIntoTheNextRequestParts() throws Exception {
    upstream.enqueue(
        json(
            "[{\"text\": \"Weighing the request.\",\"thought\": true,\"thoughtSignature\": \"sig-thought\"},"
                + "{\"functionCall\": {\"name\": \"get_weather\",\"args\": {\"city\": \"Paris\"}},\"thoughtSignature\": \"sig-call\"}]",
            "STOP"),
        json(text("Sunny."), "STOP"));
    ChatRequest first = request("gemini-3-pro-preview").build();

    CompletionResponse turn = chat(first);
    ChatRequest second =
        first.toBuilder()
            .addMessage(
                new Message(
                    Role.ASSISTANT,
                    turn.content(),
                    "",
                    turn.toolCalls(),
                    "",
                    List.of(),
                    turn.reasoningBlocks()))
            .addMessage(Message.toolResult(turn.toolCalls().get(0).id(), "{\"sky\":\"clear\"}"))
            .build();
    chat(second);

    assertThat(turn.toolCalls().get(0).signature()).isEqualTo("sig-call");
    upstream.takeRequest();
    JsonNode model = upstream.takeRequest().json().at("/contents/1");
    assertThat(model.path("role").asText()).isEqualTo("model");
    assertThat(model.at("/parts/0/thoughtSignature").asText()).isEqualTo("sig-thought");
    assertThat(model.at("/parts/0/thought").asBoolean()).isTrue();
    assertThat(model.at("/parts/1/functionCall/name").asText()).isEqualTo("get_weather");
    assertThat(model.at("/parts/1/thoughtSignature").asText()).isEqualTo("sig-call");
  }

  @Test
  void stream_errorChunkMidStream_failsAfterTheDeltas() throws Exception {
    upstream.enqueue(
        Response.sse(
            List.of(
                chunk(text("Hel"), "", GeminiContractTest.USAGE),
                "data: {\"error\": {\"code\": 503,\"message\": \"The model is overloaded. Please try again later.\","
                    + "\"status\": \"UNAVAILABLE\"}}\r\n\r\n")));

    EventCollector events =
        EventCollector.of(provider.stream(request("gemini-2.5-flash").build(), context()));

    assertThat(events.await())
        .isInstanceOf(ProviderException.Unavailable.class)
        .hasMessageContaining("overloaded");
    assertThat(events.content()).isEqualTo("Hel");
  }

  @Test
  void stream_promptBlocked_cleanEndWithContentFilter() throws Exception {
    upstream.enqueue(
        Response.sse(
            List.of(
                "data: {\"promptFeedback\": {\"blockReason\": \"PROHIBITED_CONTENT\"},"
                    + "\"usageMetadata\": {\"promptTokenCount\": 9,\"totalTokenCount\": 9},\"modelVersion\": \"gemini-2.5-flash\"}\r\n\r\n")));

    EventCollector events =
        EventCollector.of(provider.stream(request("gemini-2.5-flash").build(), context()));

    assertThat(events.await()).isNull();
    assertThat(events.finish())
        .isEqualTo(new StreamEvent.Finish(StopReason.CONTENT_FILTER, "PROHIBITED_CONTENT"));
  }

  @Test
  void chat_invalidApiKey400_authError() {
    upstream.enqueue(
        googleError(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT"));

    Throwable t = chatFailure(request("gemini-2.5-flash").build());

    assertThat(t)
        .isInstanceOf(ProviderException.Auth.class)
        .hasMessageContaining("API key not valid");
  }

  @Test
  void stream_invalidApiKey400_authError() throws Exception {
    upstream.enqueue(
        googleError(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT"));

    EventCollector events =
        EventCollector.of(provider.stream(request("gemini-2.5-flash").build(), context()));

    assertThat(events.await()).isInstanceOf(ProviderException.Auth.class);
  }

  @Test
  void chat_perMinuteQuota429WithRetryHint_rateLimitedWithThatHint() {
    upstream.enqueue(
        googleError(
            429,
            "You exceeded your current quota, please check your plan and billing details. "
                + "* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 10, "
                + "model: gemini-2.5-flash Please retry in 6.5s.",
            "RESOURCE_EXHAUSTED"));

    Throwable t = chatFailure(request("gemini-2.5-flash").build());

    assertThat(t).isInstanceOf(ProviderException.RateLimited.class);
    assertThat(((ProviderException) t).retryAfter()).contains(Duration.ofMillis(6500));
  }

  @Test
  void chat_quota429WithLimitZeroOrLongWait_staysQuotaExceeded() {
    upstream.enqueue(
        googleError(
            429,
            "You exceeded your current quota. Quota exceeded for metric: x, limit: 0. Please retry in 20s.",
            "RESOURCE_EXHAUSTED"),
        googleError(
            429, "You exceeded your current quota. Please retry in 43200s.", "RESOURCE_EXHAUSTED"));

    assertThat(chatFailure(request("gemini-2.5-flash").build()))
        .isInstanceOf(ProviderException.QuotaExceeded.class);
    assertThat(chatFailure(request("gemini-2.5-flash").build()))
        .isInstanceOf(ProviderException.QuotaExceeded.class);
  }

  @Test
  void chat_modelNotFound404_modelNotFound() {
    upstream.enqueue(
        googleError(
            404,
            "models/gemini-9 is not found for API version v1beta, or is not supported for "
                + "generateContent. Call ListModels to see the list of available models and their supported methods.",
            "NOT_FOUND"));

    Throwable t = chatFailure(request("gemini-9").build());

    assertThat(t)
        .isInstanceOf(ProviderException.ModelNotFound.class)
        .hasMessageContaining("models/gemini-9");
  }

  @Test
  void descriptor_defaults_googleFormatToolsStreamingVisionAndMillionTokenWindows() {
    var d = provider.descriptor();

    assertThat(d.wireType()).isEqualTo("gemini");
    assertThat(d.defaultModel()).isEqualTo("gemini-2.5-flash");
    assertThat(d.models()).extracting(m -> m.id()).contains("gemini-2.5-pro", "gemini-2.5-flash");
    assertThat(d.capabilitiesOf("gemini-2.5-pro").contextWindow()).isEqualTo(1_048_576);
    assertThat(d.capabilities().toolCallFormat())
        .isEqualTo(dev.providergateway.provider.ToolCallFormat.GOOGLE);
    assertThat(
            d.capabilities().tools() && d.capabilities().streaming() && d.capabilities().vision())
        .isTrue();
  }
}
