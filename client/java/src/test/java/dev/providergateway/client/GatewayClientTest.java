package dev.providergateway.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CircuitState;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.ListProvidersResponse;
import dev.providergateway.v1.ProviderInfo;
import dev.providergateway.v1.StopReason;
import dev.providergateway.v1.StreamChunk;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GatewayClientTest {
  private final InProcessGateway gateway = new InProcessGateway();
  private final FakeProviderService fake = gateway.service;
  private final GatewayClient client = GatewayClient.create(gateway.newChannel());

  @AfterEach
  void tearDown() {
    gateway.close();
  }

  @Test
  void chat_echoProvider_returnsReplyAndForwardsRequestAsBuilt() throws Exception {
    ChatRequest request =
        ChatRequests.of("echo", "echo-1", "hello big world")
            .setTemperature(0.5)
            .setMaxTokens(64)
            .putTags("team", "client")
            .build();

    CompletionResponse reply = client.chat(request);

    assertThat(reply.getContent()).isEqualTo("hello big world");
    assertThat(reply.getStopReason()).isEqualTo(StopReason.STOP_REASON_STOP);
    assertThat(reply.getUsage().getTotalTokens()).isEqualTo(6);
    assertThat(fake.requests.poll(5, TimeUnit.SECONDS)).isEqualTo(request);
  }

  @Test
  void chat_errorWithDetails_throwsGatewayExceptionWithParsedDetails() {
    fake.failWith = FakeProviderService.rateLimited();

    GatewayException e =
        catchThrowableOfType(
            GatewayException.class, () -> client.chat(ChatRequests.of("hi").build()));

    assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.reason()).isEqualTo("PROVIDER_RATE_LIMIT");
    assertThat(e.domain()).isEqualTo("providergateway");
    assertThat(e.errorMetadata())
        .isEqualTo(Map.of("provider", "openai", "model", "gpt-4o-mini", "http_status", "429"));
    assertThat(e.retryDelay()).contains(Duration.ofSeconds(3));
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.description()).isEqualTo("openai rate limit exceeded");
    assertThat(e).hasMessage("RESOURCE_EXHAUSTED PROVIDER_RATE_LIMIT: openai rate limit exceeded");
  }

  @Test
  void chat_invalidRequest_exposesFieldViolations() {
    fake.failWith =
        io.grpc.protobuf.StatusProto.toStatusRuntimeException(FakeProviderService.invalidRequest());

    GatewayException e =
        catchThrowableOfType(
            GatewayException.class, () -> client.chat(ChatRequests.of("hi").build()));

    assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.reason()).isEqualTo("INVALID_REQUEST");
    assertThat(e.fieldViolations())
        .containsExactly(
            new GatewayException.FieldViolation("messages[0].role", "unknown role 'robot'"));
    assertThat(e.retryDelay()).isEmpty();
    assertThat(e.isRetryable()).isFalse();
  }

  @Test
  void chat_errorWithoutDetails_hasEmptyDetails() {
    fake.failWith = Status.UNAVAILABLE.withDescription("upstream down").asRuntimeException();

    GatewayException e =
        catchThrowableOfType(
            GatewayException.class, () -> client.chat(ChatRequests.of("hi").build()));

    assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.reason()).isEmpty();
    assertThat(e.errorMetadata()).isEmpty();
    assertThat(e.fieldViolations()).isEmpty();
    assertThat(e.isRetryable()).isTrue();
    assertThat(e).hasMessage("UNAVAILABLE: upstream down");
  }

  @Test
  void chat_deadlinePasses_throwsDeadlineExceededAndCancelsServerCall() throws Exception {
    GatewayClient impatient = client.withDeadline(Duration.ofMillis(200));

    GatewayException e =
        catchThrowableOfType(
            GatewayException.class,
            () -> impatient.chat(ChatRequests.of(FakeProviderService.HANG).build()));

    assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(e.isRetryable()).isTrue();
    assertThat(fake.chatCancelled.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void withDeadline_nonPositive_throwsIllegalArgument() {
    assertThatThrownBy(() -> client.withDeadline(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(client.withDeadline(Duration.ofSeconds(1)).deadline())
        .contains(Duration.ofSeconds(1));
    assertThat(client.deadline()).isEmpty();
  }

  @Test
  void stream_echoProvider_yieldsWordChunksThenFinalThenEnds() {
    List<StreamChunk> chunks = new ArrayList<>();
    try (ChunkStream stream = client.stream(ChatRequests.of("hello big world").build())) {
      for (StreamChunk chunk : stream) {
        chunks.add(chunk);
      }
      assertThat(stream.hasNext()).isFalse();
      assertThatThrownBy(stream::next).isInstanceOf(NoSuchElementException.class);
    }

    assertThat(chunks)
        .extracting(StreamChunk::getContent)
        .containsExactly("hello", " big", " world", "");
    assertThat(chunks)
        .extracting(StreamChunk::getIsFinal)
        .containsExactly(false, false, false, true);
    assertThat(chunks.get(3).getUsage().getCompletionTokens()).isEqualTo(3);
  }

  @Test
  void stream_asJavaStream_joinsContent() {
    String text;
    try (ChunkStream stream = client.stream(ChatRequests.of("one two three").build())) {
      text = stream.stream().map(StreamChunk::getContent).collect(Collectors.joining());
    }

    assertThat(text).isEqualTo("one two three");
  }

  @Test
  void stream_serverFailsMidway_throwsGatewayExceptionAfterEarlierChunks() {
    fake.failWith = FakeProviderService.rateLimited();
    fake.failAfterChunks = 2;
    List<String> seen = new ArrayList<>();

    try (ChunkStream stream = client.stream(ChatRequests.of("a b c d").build())) {
      assertThatThrownBy(() -> stream.forEachRemaining(c -> seen.add(c.getContent())))
          .isInstanceOfSatisfying(
              GatewayException.class, e -> assertThat(e.reason()).isEqualTo("PROVIDER_RATE_LIMIT"));
    }

    assertThat(seen).containsExactly("a", " b");
  }

  @Test
  void stream_closedBeforeEnd_cancelsServerCall() throws Exception {
    ChunkStream stream = client.stream(ChatRequests.of(FakeProviderService.HANG).build());
    assertThat(stream.next().getContent()).isEqualTo("waiting");

    stream.close();

    assertThat(fake.streamCancelled.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(stream.hasNext()).isFalse();
  }

  @Test
  void stream_closedFromAnotherThread_blockedReaderEndsQuietly() throws Exception {
    ChunkStream stream = client.stream(ChatRequests.of(FakeProviderService.HANG).build());
    assertThat(stream.next().getContent()).isEqualTo("waiting");
    // The reader blocks: the fake sends nothing after "waiting" until it is cancelled.
    CompletableFuture<Boolean> reader = CompletableFuture.supplyAsync(stream::hasNext);

    stream.close();

    assertThat(reader.get(5, TimeUnit.SECONDS)).isFalse();
    assertThat(fake.streamCancelled.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void listProviders_returnsServerResponse() {
    fake.providers =
        ListProvidersResponse.newBuilder()
            .addProviders(
                ProviderInfo.newBuilder()
                    .setName("echo")
                    .setWireType("echo")
                    .setCircuitState(CircuitState.CIRCUIT_STATE_CLOSED))
            .setDefaultProvider("echo")
            .build();

    assertThat(client.listProviders()).isEqualTo(fake.providers);
  }

  @Test
  void listProviders_serverFails_throwsGatewayException() {
    fake.failWith = Status.UNAVAILABLE.asRuntimeException();

    assertThatThrownBy(client::listProviders)
        .isInstanceOfSatisfying(
            GatewayException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
  }
}
