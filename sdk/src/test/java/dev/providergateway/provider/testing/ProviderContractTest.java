package dev.providergateway.provider.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The provider contract every provider passes, against a {@link FakeUpstream} that speaks the
 * provider's real wire format. A provider's test extends this class and supplies its wire fixtures:
 * the responses its upstream would send for the scenarios below, written from the provider's public
 * API reference.
 *
 * <p>Shared scenario values: text answers say {@value #TEXT} with usage {@value #PROMPT_TOKENS}
 * prompt and {@value #COMPLETION_TOKENS} completion tokens (the prompt count including any cached
 * input); tool calls are {@code get_weather {"city":"Paris"}} and, for parallel calls, also {@code
 * get_time {"tz":"Europe/Paris"}}.
 */
public abstract class ProviderContractTest {
  public static final String TEXT = "Hello from the fake upstream.";
  public static final int PROMPT_TOKENS = 12;
  public static final int COMPLETION_TOKENS = 7;
  public static final String WEATHER_ARGS = "{\"city\":\"Paris\"}";
  public static final String TIME_ARGS = "{\"tz\":\"Europe/Paris\"}";

  protected FakeUpstream upstream;
  protected Provider provider;

  /** The provider under test, talking to {@code baseUri}. */
  protected abstract Provider newProvider(URI baseUri);

  /** The model the tests request. */
  protected String model() {
    return "test-model";
  }

  /** A non-streamed answer of {@link #TEXT}, stop reason stop, with the shared usage. */
  protected abstract Response chatText();

  /** A streamed answer of {@link #TEXT} in several deltas, with the shared usage and stop. */
  protected abstract Response streamText();

  /** A non-streamed answer with one call of get_weather {@link #WEATHER_ARGS}. */
  protected abstract Response chatToolCall();

  /** A non-streamed answer with two parallel calls: get_weather, then get_time. */
  protected abstract Response chatParallelToolCalls();

  /** A streamed answer with two parallel calls whose arguments arrive in several fragments. */
  protected abstract Response streamParallelToolCalls();

  /**
   * The first part of a streamed text answer, after which the upstream keeps the connection open.
   */
  protected abstract Response streamThenHang();

  /** The first part of a streamed text answer, after which the upstream drops the connection. */
  protected abstract Response streamThenDie();

  /** A streamed answer whose second event is not valid JSON. */
  protected abstract Response streamMalformed();

  /** An error response in the provider's format: {@code code} is its error type or code. */
  protected abstract Response error(int status, String message, String code);

  /** Asserts how the provider sent the assistant tool call and the tool result upstream. */
  protected abstract void assertToolRoundTripSent(JsonNode requestBody);

  @BeforeEach
  void startUpstream() {
    upstream = FakeUpstream.start();
    provider = newProvider(upstream.baseUri());
  }

  @AfterEach
  void stopUpstream() {
    provider.close();
    upstream.close();
  }

  /**
   * The upstream's answer to an embeddings request for {@link #EMBED_INPUTS}: vectors {@link
   * #EMBED_FIRST} then {@link #EMBED_SECOND}, with {@link #embedUsage()} input tokens; null for a
   * provider that serves no embeddings (the contract then checks that it refuses them clearly).
   */
  protected Response embedAnswer() {
    return null;
  }

  /** The input tokens {@link #embedAnswer()} reports; 0 for a wire that reports none. */
  protected int embedUsage() {
    return PROMPT_TOKENS;
  }

  /** Checks the wire request for an embeddings call of {@link #EMBED_INPUTS} (field by field). */
  protected void assertEmbedRequestSent(FakeUpstream.RecordedRequest request) {}

  /**
   * The upstream's answer to a token-count request, counting {@link #PROMPT_TOKENS}; null for a
   * provider that counts locally (the contract then checks the estimate and that no request left).
   */
  protected Response countTokensAnswer() {
    return null;
  }

  /** Checks the wire request of a token count of {@code request("Hello")} (field by field). */
  protected void assertCountTokensRequestSent(FakeUpstream.RecordedRequest request) {}

  public static final List<String> EMBED_INPUTS = List.of("first text", "second text");
  public static final float[] EMBED_FIRST = {0.5f, -0.25f};
  public static final float[] EMBED_SECOND = {1.0f, 0.0f};

  @Test
  void embed_twoInputs_vectorsInInputOrder_orClearRefusal() throws Exception {
    var request =
        new dev.providergateway.provider.EmbedRequest(
            "embed-model", EMBED_INPUTS, null, false, Map.of(), Map.of());
    Response answer = embedAnswer();
    if (answer == null) {
      assertThat(provider.servesEmbeddings()).isFalse();
      Throwable failure = catchThrowable(() -> provider.embed(request, context()).get());
      assertThat(failure)
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(dev.providergateway.provider.InvalidRequestException.class)
          .hasMessageContaining("no embeddings");
      assertThat(upstream.requestCount()).isZero();
      return;
    }
    assertThat(provider.servesEmbeddings()).isTrue();
    upstream.enqueue(answer);

    var response = provider.embed(request, context()).get(10, TimeUnit.SECONDS);

    assertThat(response.vectors()).hasSize(2);
    assertThat(response.vectors().get(0)).containsExactly(EMBED_FIRST);
    assertThat(response.vectors().get(1)).containsExactly(EMBED_SECOND);
    assertThat(response.usage().promptTokens()).isEqualTo(embedUsage());
    assertEmbedRequestSent(upstream.takeRequest());
  }

  @Test
  void countTokens_hello_nativeCountOrMarkedEstimate() throws Exception {
    Response answer = countTokensAnswer();
    if (answer != null) {
      upstream.enqueue(answer);
    }

    var count = provider.countTokens(request("Hello").build(), context()).get(10, TimeUnit.SECONDS);

    if (answer == null) {
      assertThat(count.estimated()).isTrue();
      assertThat(count.inputTokens()).isPositive();
      assertThat(upstream.requestCount()).isZero();
    } else {
      assertThat(count.estimated()).isFalse();
      assertThat(count.inputTokens()).isEqualTo(PROMPT_TOKENS);
      assertCountTokensRequestSent(upstream.takeRequest());
    }
  }

  protected ChatRequest.Builder request(String userText) {
    return ChatRequest.builder(model()).addMessage(Message.of(Role.USER, userText));
  }

  protected static ToolDefinition weatherTool() {
    return new ToolDefinition(
        "get_weather",
        "Current weather for a city",
        Map.of(
            "type",
            "object",
            "properties",
            Map.of("city", Map.of("type", "string")),
            "required",
            List.of("city")));
  }

  protected static ToolDefinition timeTool() {
    return new ToolDefinition(
        "get_time",
        "Current time in a time zone",
        Map.of("type", "object", "properties", Map.of("tz", Map.of("type", "string"))));
  }

  protected static CallContext context() {
    return new CallContext("req-1", null);
  }

  protected CompletionResponse chat(ChatRequest request) throws Exception {
    return provider.chat(request, context()).get(10, TimeUnit.SECONDS);
  }

  @Test
  void chat_text_returnsContentStopAndUsage() throws Exception {
    upstream.enqueue(chatText());

    CompletionResponse r = chat(request("hi").build());

    assertThat(r.content()).isEqualTo(TEXT);
    assertThat(r.stopReason()).isEqualTo(StopReason.STOP);
    assertThat(r.nativeStopReason()).isNotEmpty();
    assertThat(r.usage().promptTokens()).isEqualTo(PROMPT_TOKENS);
    assertThat(r.usage().completionTokens()).isEqualTo(COMPLETION_TOKENS);
    assertThat(r.toolCalls()).isEmpty();
    assertThat(r.model()).isNotEmpty();
  }

  @Test
  void stream_text_deltasUsageAndCleanEnd() throws Exception {
    upstream.enqueue(streamText());

    EventCollector events = EventCollector.of(provider.stream(request("hi").build(), context()));

    assertThat(events.await()).isNull();
    assertThat(events.content()).isEqualTo(TEXT);
    assertThat(
            events.events.stream()
                .filter(e -> e instanceof dev.providergateway.provider.StreamEvent.ContentDelta)
                .count())
        .isGreaterThan(1);
    assertThat(events.usage()).isNotNull();
    assertThat(events.usage().promptTokens()).isEqualTo(PROMPT_TOKENS);
    assertThat(events.usage().completionTokens()).isEqualTo(COMPLETION_TOKENS);
    assertThat(events.finish()).isNotNull();
    assertThat(events.finish().reason()).isEqualTo(StopReason.STOP);
  }

  @Test
  void chat_toolCall_returnsParsedCall() throws Exception {
    upstream.enqueue(chatToolCall());

    CompletionResponse r = chat(request("weather in Paris?").tools(List.of(weatherTool())).build());

    assertThat(r.stopReason()).isEqualTo(StopReason.TOOL_CALLS);
    assertThat(r.toolCalls())
        .singleElement()
        .satisfies(call -> assertCall(call, "get_weather", WEATHER_ARGS));
    assertThat(upstream.takeRequest().json().toString()).contains("get_weather");
  }

  @Test
  void chat_parallelToolCalls_returnsBothInOrder() throws Exception {
    upstream.enqueue(chatParallelToolCalls());

    CompletionResponse r =
        chat(request("weather and time?").tools(List.of(weatherTool(), timeTool())).build());

    assertThat(r.toolCalls()).hasSize(2);
    assertCall(r.toolCalls().get(0), "get_weather", WEATHER_ARGS);
    assertCall(r.toolCalls().get(1), "get_time", TIME_ARGS);
    assertThat(r.toolCalls().get(0).id()).isNotEqualTo(r.toolCalls().get(1).id());
  }

  @Test
  void stream_parallelToolCalls_deltasJoinToBothCalls() throws Exception {
    upstream.enqueue(streamParallelToolCalls());

    EventCollector events =
        EventCollector.of(
            provider.stream(
                request("weather and time?").tools(List.of(weatherTool(), timeTool())).build(),
                context()));

    assertThat(events.await()).isNull();
    List<ToolCall> calls = events.toolCalls();
    assertThat(calls).hasSize(2);
    assertCall(calls.get(0), "get_weather", WEATHER_ARGS);
    assertCall(calls.get(1), "get_time", TIME_ARGS);
    assertThat(events.finish().reason()).isEqualTo(StopReason.TOOL_CALLS);
  }

  @Test
  void chat_toolResults_sentBackInProviderFormat() throws Exception {
    upstream.enqueue(chatText());
    ChatRequest request =
        request("weather in Paris?")
            .tools(List.of(weatherTool()))
            .addMessage(
                Message.assistant("", List.of(ToolCall.of("call_1", "get_weather", WEATHER_ARGS))))
            .addMessage(Message.toolResult("call_1", "sunny, 21C"))
            .build();

    chat(request);

    assertToolRoundTripSent(upstream.takeRequest().json());
  }

  static Stream<Arguments> errorTable() {
    return Stream.of(
        Arguments.of(401, "invalid api key", "authentication_error", ProviderException.Auth.class),
        Arguments.of(403, "forbidden", "permission_error", ProviderException.Auth.class),
        Arguments.of(
            429,
            "rate limit reached, slow down",
            "rate_limit_exceeded",
            ProviderException.RateLimited.class),
        Arguments.of(
            429,
            "You exceeded your current quota, check your plan and billing details",
            "insufficient_quota",
            ProviderException.QuotaExceeded.class),
        Arguments.of(
            404,
            "The model test-model does not exist",
            "model_not_found",
            ProviderException.ModelNotFound.class),
        Arguments.of(
            400,
            "max_tokens is too large for this model",
            "invalid_request_error",
            ProviderException.Rejected.class),
        Arguments.of(
            500, "internal server error", "server_error", ProviderException.Unavailable.class),
        Arguments.of(503, "overloaded", "overloaded_error", ProviderException.Unavailable.class));
  }

  @ParameterizedTest(name = "HTTP {0} {2}")
  @MethodSource("errorTable")
  void chat_errorStatus_mapsToErrorKindWithUpstreamMessage(
      int status, String message, String code, Class<?> kind) {
    upstream.enqueue(error(status, message, code));

    Throwable t = unwrap(catchThrowable(() -> chat(request("hi").build())));

    assertThat(t).isInstanceOf(kind);
    ProviderException e = (ProviderException) t;
    assertThat(e.origin().httpStatus()).isEqualTo(status);
    assertThat(e.getMessage()).contains(message);
  }

  @ParameterizedTest(name = "HTTP {0} {2}")
  @MethodSource("errorTable")
  void stream_errorStatus_mapsToErrorKind(int status, String message, String code, Class<?> kind)
      throws Exception {
    upstream.enqueue(error(status, message, code));

    EventCollector events = EventCollector.of(provider.stream(request("hi").build(), context()));

    assertThat(events.await()).isInstanceOf(kind);
    assertThat(events.events).isEmpty();
  }

  @Test
  void chat_rateLimitWithRetryAfter_carriesHint() {
    upstream.enqueue(error(429, "slow down", "rate_limit_exceeded").withHeader("retry-after", "7"));

    Throwable t = unwrap(catchThrowable(() -> chat(request("hi").build())));

    assertThat(((ProviderException) t).retryAfter()).contains(Duration.ofSeconds(7));
  }

  @Test
  void chat_htmlErrorPage_summarized() {
    upstream.enqueue(
        Response.text(
            502,
            "text/html",
            "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
                + "<body>"
                + "x".repeat(5000)
                + "</body></html>"));

    Throwable t = unwrap(catchThrowable(() -> chat(request("hi").build())));

    assertThat(t).isInstanceOf(ProviderException.Unavailable.class);
    assertThat(t.getMessage()).contains("502 Bad Gateway").doesNotContain("xxxxxxxxxx");
  }

  @Test
  void chat_bodyNotJson_invalidResponse() {
    upstream.enqueue(Response.text(200, "application/json", "this is not json"));

    assertThat(unwrap(catchThrowable(() -> chat(request("hi").build()))))
        .isInstanceOf(ProviderException.InvalidResponse.class);
  }

  @Test
  void stream_malformedEvent_invalidResponse() throws Exception {
    upstream.enqueue(streamMalformed());

    EventCollector events = EventCollector.of(provider.stream(request("hi").build(), context()));

    assertThat(events.await()).isInstanceOf(ProviderException.InvalidResponse.class);
  }

  @Test
  void stream_upstreamDiesMidway_endsWithErrorNotCleanEnd() throws Exception {
    upstream.enqueue(streamThenDie());

    EventCollector events = EventCollector.of(provider.stream(request("hi").build(), context()));

    Throwable error = events.await();
    assertThat(error).isInstanceOf(ProviderException.class);
    assertThat(((ProviderException) error).retryable()).isTrue();
  }

  @Test
  void stream_cancelAfterFirstEvent_closesUpstreamConnection() throws Exception {
    upstream.enqueue(streamThenHang());
    EventCollector events = EventCollector.of(provider.stream(request("hi").build(), context()));
    events.first.get(10, TimeUnit.SECONDS);

    events.cancel();

    assertThat(upstream.disconnected.await(5, TimeUnit.SECONDS))
        .as("upstream saw the connection close")
        .isTrue();
  }

  @Test
  void chat_cancelWhileWaiting_closesUpstreamConnection() throws Exception {
    upstream.enqueue(
        Response.stream(200, "application/json", Duration.ZERO, List.of(" ")).thenHang(" "));
    CompletableFuture<CompletionResponse> call = provider.chat(request("hi").build(), context());
    upstream.takeRequest();

    call.cancel(true);

    assertThat(upstream.disconnected.await(5, TimeUnit.SECONDS))
        .as("upstream saw the connection close")
        .isTrue();
  }

  @Test
  void chat_connectionRefused_connectionError() {
    URI closed = upstream.baseUri();
    upstream.close();
    provider.close();
    provider = newProvider(closed);

    assertThat(unwrap(catchThrowable(() -> chat(request("hi").build()))))
        .isInstanceOf(ProviderException.Connection.class);
  }

  /** Asserts a call's name and that its arguments equal {@code json} as JSON. */
  protected static void assertCall(ToolCall call, String name, String json) {
    assertThat(call.name()).isEqualTo(name);
    assertThat(call.id()).isNotEmpty();
    assertThat(Json.tryParse(call.arguments())).isEqualTo(Json.tryParse(json));
    assertThat(call.rawArguments()).isEmpty();
  }

  protected static Throwable unwrap(Throwable t) {
    return t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
  }
}
