package dev.providergateway.provider.openai;

import static dev.providergateway.provider.openai.OpenAiFixtures.DONE;
import static dev.providergateway.provider.openai.OpenAiFixtures.chat;
import static dev.providergateway.provider.openai.OpenAiFixtures.chunk;
import static dev.providergateway.provider.openai.OpenAiFixtures.context;
import static dev.providergateway.provider.openai.OpenAiFixtures.request;
import static dev.providergateway.provider.openai.OpenAiFixtures.usageChunk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.Usage;
import dev.providergateway.provider.testing.EventCollector;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the OpenAI family reads back: reasoning, refusals, usage variants, stream errors and error
 * bodies.
 */
class OpenAiResponseMappingTest {
  private final FakeUpstream upstream = FakeUpstream.start();

  @AfterEach
  void stop() {
    upstream.close();
  }

  private EventCollector stream(String type, Response response) throws Exception {
    upstream.enqueue(response);
    EventCollector events =
        EventCollector.of(
            OpenAiFixtures.preset(type, upstream.baseUri()).stream(
                request("m", "hi").build(), context()));
    events.await();
    return events;
  }

  @Test
  void chat_deepSeekReasoner_reasoningContentAndCacheHitUsage() throws Exception {
    upstream.enqueue(
        OpenAiFixtures.completion(
            "{\"role\":\"assistant\",\"content\":\"42\",\"reasoning_content\":\"Let me think.\"}",
            "stop",
            "{\"prompt_tokens\":100,\"completion_tokens\":30,\"total_tokens\":130,\"prompt_cache_hit_tokens\":64,"
                + "\"prompt_cache_miss_tokens\":36,\"completion_tokens_details\":{\"reasoning_tokens\":20}}"));

    CompletionResponse r =
        chat(
            OpenAiFixtures.preset("deepseek", upstream.baseUri()),
            request("deepseek-reasoner", "q").build());

    assertThat(r.content()).isEqualTo("42");
    assertThat(r.reasoningContent()).isEqualTo("Let me think.");
    assertThat(r.usage()).isEqualTo(new Usage(100, 30, 64, 0, 20));
  }

  @Test
  void stream_deepSeekReasoner_reasoningDeltasBeforeContent() throws Exception {
    EventCollector events =
        stream(
            "deepseek",
            Response.sse(
                List.of(
                    chunk(
                        "{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"\"}",
                        "null"),
                    chunk("{\"content\":null,\"reasoning_content\":\"Let me\"}", "null"),
                    chunk("{\"content\":null,\"reasoning_content\":\" think.\"}", "null"),
                    chunk("{\"content\":\"42\",\"reasoning_content\":null}", "null"),
                    chunk("{\"content\":\"\"}", "\"stop\""),
                    usageChunk(
                        "{\"prompt_tokens\":100,\"completion_tokens\":30,\"total_tokens\":130,\"prompt_cache_hit_tokens\":64}"),
                    DONE)));

    assertThat(events.done).isCompleted();
    assertThat(events.reasoning()).isEqualTo("Let me think.");
    assertThat(events.content()).isEqualTo("42");
    assertThat(
            events.events.stream()
                .filter(
                    e ->
                        e instanceof StreamEvent.ReasoningDelta
                            || e instanceof StreamEvent.ContentDelta)
                .map(e -> e.getClass().getSimpleName())
                .distinct())
        .containsExactly("ReasoningDelta", "ContentDelta");
    assertThat(events.usage().cacheReadTokens()).isEqualTo(64);
  }

  @Test
  void stream_reasoningField_readAsReasoning() throws Exception {
    EventCollector events =
        stream(
            "openrouter",
            Response.sse(
                List.of(
                    chunk(
                        "{\"role\":\"assistant\",\"content\":\"\",\"reasoning\":\"Hmm.\"}", "null"),
                    chunk("{\"content\":\"Yes\"}", "\"stop\""),
                    DONE)));

    assertThat(events.reasoning()).isEqualTo("Hmm.");
    assertThat(events.content()).isEqualTo("Yes");
  }

  @Test
  void chat_refusal_contentFilterWithRefusalInContentAndMetadata() throws Exception {
    upstream.enqueue(
        OpenAiFixtures.completion(
            "{\"role\":\"assistant\",\"content\":null,\"refusal\":\"I can't help with that.\"}",
            "stop",
            OpenAiFixtures.usage(5, 6)));

    CompletionResponse r =
        chat(OpenAiFixtures.official(upstream.baseUri()), request("gpt-4o", "bad").build());

    assertThat(r.stopReason()).isEqualTo(StopReason.CONTENT_FILTER);
    assertThat(r.nativeStopReason()).isEqualTo("stop");
    assertThat(r.content()).isEqualTo("I can't help with that.");
    assertThat(r.metadata()).containsEntry("refusal", "I can't help with that.");
  }

  @Test
  void stream_refusal_contentDeltasContentFilterAndMetadata() throws Exception {
    EventCollector events =
        stream(
            "openai",
            Response.sse(
                List.of(
                    chunk("{\"role\":\"assistant\",\"content\":null,\"refusal\":\"\"}", "null"),
                    chunk("{\"refusal\":\"I can't\"}", "null"),
                    chunk("{\"refusal\":\" help.\"}", "null"),
                    chunk("{}", "\"stop\""),
                    DONE)));

    assertThat(events.content()).isEqualTo("I can't help.");
    assertThat(events.finish().reason()).isEqualTo(StopReason.CONTENT_FILTER);
    assertThat(events.events)
        .filteredOn(e -> e instanceof StreamEvent.ResponseInfo)
        .map(e -> ((StreamEvent.ResponseInfo) e).metadata().get("refusal"))
        .contains("I can't help.");
  }

  @Test
  void stream_errorChunkAfterContent_failsWithUpstreamKindAndMessage() throws Exception {
    EventCollector events =
        stream(
            "openai",
            Response.sse(
                List.of(
                    chunk("{\"role\":\"assistant\",\"content\":\"Hel\"}", "null"),
                    "data: {\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\"}}\n\n")));

    assertThat(events.content()).isEqualTo("Hel");
    assertThat(events.done).isCompletedExceptionally();
    Throwable error = events.await();
    assertThat(error)
        .isInstanceOf(ProviderException.Unavailable.class)
        .hasMessageContaining("had an error");
    assertThat(((ProviderException) error).retryable()).isTrue();
  }

  @Test
  void stream_rateLimitErrorChunk_rateLimited() throws Exception {
    EventCollector events =
        stream(
            "openrouter",
            Response.sse(
                List.of(
                    "data: {\"error\":{\"message\":\"Rate limit exceeded upstream\",\"code\":429},\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}]}\n\n")));

    assertThat(events.await()).isInstanceOf(ProviderException.RateLimited.class);
  }

  @Test
  void chat_openAiUsageDetails_cachedAndReasoningTokens() throws Exception {
    upstream.enqueue(
        OpenAiFixtures.completion(
            "{\"role\":\"assistant\",\"content\":\"ok\"}",
            "stop",
            "{\"prompt_tokens\":2006,\"completion_tokens\":300,\"total_tokens\":2306,\"prompt_tokens_details\":{\"cached_tokens\":1920,"
                + "\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":256,\"audio_tokens\":0}}"));

    CompletionResponse r =
        chat(OpenAiFixtures.official(upstream.baseUri()), request("o3-mini", "hi").build());

    assertThat(r.usage()).isEqualTo(new Usage(2006, 300, 1920, 0, 256));
    assertThat(r.model()).isEqualTo("served-model");
  }

  @Test
  void chat_moonshotTopLevelCachedTokens_cacheRead() throws Exception {
    upstream.enqueue(
        OpenAiFixtures.completion(
            "{\"role\":\"assistant\",\"content\":\"ok\"}",
            "stop",
            "{\"prompt_tokens\":300,\"completion_tokens\":5,\"total_tokens\":305,\"cached_tokens\":256}"));

    CompletionResponse r =
        chat(
            OpenAiFixtures.preset("moonshot", upstream.baseUri()),
            request("moonshot-v1-8k", "hi").build());

    assertThat(r.usage()).isEqualTo(new Usage(300, 5, 256, 0, 0));
  }

  @Test
  void stream_groqUsage_readFromXGroq() throws Exception {
    EventCollector events =
        stream(
            "groq",
            Response.sse(
                List.of(
                    chunk("{\"role\":\"assistant\",\"content\":\"Hi\"}", "null"),
                    "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"llama\",\"choices\":[{\"index\":0,\"delta\":{},"
                        + "\"finish_reason\":\"stop\"}],\"x_groq\":{\"id\":\"req_1\",\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,"
                        + "\"total_tokens\":12}}}\n\n",
                    DONE)));

    assertThat(events.usage()).isEqualTo(Usage.of(9, 3));
  }

  @Test
  void stream_mistralUsageOnFinishChunkAndModelLength_lengthWithUsage() throws Exception {
    EventCollector events =
        stream(
            "mistral",
            Response.sse(
                List.of(
                    chunk("{\"role\":\"assistant\",\"content\":\"Once upon\"}", "null"),
                    "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"mistral-small-latest\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"content\":\" a time\"},\"finish_reason\":\"model_length\"}],\"usage\":{\"prompt_tokens\":4,"
                        + "\"total_tokens\":12,\"completion_tokens\":8}}\n\n",
                    DONE)));

    assertThat(events.content()).isEqualTo("Once upon a time");
    assertThat(events.finish().reason()).isEqualTo(StopReason.LENGTH);
    assertThat(events.usage()).isEqualTo(Usage.of(4, 8));
  }

  static Stream<Arguments> errorBodies() {
    return Stream.of(
        Arguments.of(
            "OpenAI model_not_found",
            404,
            "{\"error\":{\"message\":\"The model `gpt-9` does not exist or you do not "
                + "have access to it.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"model_not_found\"}}",
            ProviderException.ModelNotFound.class),
        Arguments.of(
            "OpenAI insufficient_quota",
            429,
            "{\"error\":{\"message\":\"You exceeded your current quota, please check "
                + "your plan and billing details.\",\"type\":\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}",
            ProviderException.QuotaExceeded.class),
        Arguments.of(
            "OpenAI rate limit",
            429,
            "{\"error\":{\"message\":\"Rate limit reached for gpt-4o on tokens per min (TPM)\","
                + "\"type\":\"tokens\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}",
            ProviderException.RateLimited.class),
        Arguments.of(
            "OpenAI context length",
            400,
            "{\"error\":{\"message\":\"This model's maximum context length is 128000 "
                + "tokens.\",\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}",
            ProviderException.Rejected.class),
        Arguments.of(
            "vLLM unknown model",
            404,
            "{\"object\":\"error\",\"message\":\"The model `foo` does not exist.\","
                + "\"type\":\"NotFoundError\",\"param\":null,\"code\":404}",
            ProviderException.ModelNotFound.class),
        Arguments.of(
            "Mistral invalid_model",
            400,
            "{\"object\":\"error\",\"message\":\"Invalid model: foo\",\"type\":"
                + "\"invalid_model\",\"param\":null,\"code\":\"1500\"}",
            ProviderException.ModelNotFound.class),
        Arguments.of(
            "DeepSeek unknown model",
            400,
            "{\"error\":{\"message\":\"Model Not Exist\",\"type\":\"invalid_request_error\","
                + "\"param\":null,\"code\":\"invalid_request_error\"}}",
            ProviderException.ModelNotFound.class),
        Arguments.of(
            "OpenRouter unknown model",
            400,
            "{\"error\":{\"message\":\"foo/bar is not a valid model ID\",\"code\":400}}",
            ProviderException.ModelNotFound.class),
        Arguments.of(
            "OpenAI bad key",
            401,
            "{\"error\":{\"message\":\"Incorrect API key provided: "
                + OpenAiFixtures.KEY
                + ". You can find your API key at https://platform.openai.com/account/api-keys.\",\"type\":\"invalid_request_error\","
                + "\"code\":\"invalid_api_key\"}}",
            ProviderException.Auth.class));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errorBodies")
  void chat_errorBody_mapsToKindWithoutCredential(
      String name, int status, String body, Class<?> kind) {
    upstream.enqueue(Response.json(status, body));

    Throwable t =
        catchThrowable(
            () ->
                chat(
                    OpenAiFixtures.preset("openai", upstream.baseUri()),
                    request("m", "hi").build()));

    Throwable error = t instanceof ExecutionException ? t.getCause() : t;
    assertThat(error).isInstanceOf(kind);
    assertThat(((ProviderException) error).origin().httpStatus()).isEqualTo(status);
    assertThat(error.getMessage())
        .doesNotContain(OpenAiFixtures.KEY)
        .doesNotContain("0123456789abcdef");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errorBodies")
  void stream_errorBody_mapsToKind(String name, int status, String body, Class<?> kind)
      throws Exception {
    EventCollector events = stream("openai", Response.json(status, body));

    assertThat(events.await()).isInstanceOf(kind);
  }
}
