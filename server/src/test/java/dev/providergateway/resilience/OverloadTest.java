package dev.providergateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.testing.Requests;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.ProviderServiceGrpc;
import dev.providergateway.v1.StreamChunk;
import io.grpc.Status;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Concurrency limits: when the gateway's or a provider's limit is full, a call is refused at once
 * with RESOURCE_EXHAUSTED (GATEWAY_OVERLOADED) without reaching the upstream; a route fails over
 * from a full provider; slots come back when calls end.
 */
class OverloadTest {
  private final FakeUpstream upstream = FakeUpstream.startTracked().otherwise(Upstreams.byModel());
  private final FakeUpstream other =
      FakeUpstream.startTracked()
          .otherwise(
              Upstreams.byModel(
                  r -> Wire.answer(r.json().path("stream").asBoolean(), "from other")));
  private final FaultGateway gateway =
      new FaultGateway(
          """
      providers:
        - name: up
          type: openai
          base_url: %s/v1
          api_key: k
        - name: other
          type: openai
          base_url: %s/v1
          api_key: k
      routes:
        smart:
          targets: [{provider: up, model: m}, {provider: other, model: m}]
      resilience:
        max_retries: 0
        first_token_timeout: 10s
        idle_timeout: 10s
        max_concurrent_calls: 3
        max_concurrent_per_provider: 2
      """
              .formatted(upstream.baseUri(), other.baseUri()));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
    upstream.close();
    other.close();
  }

  @Test
  void calls_providerFull_refusedAtOnceAndRouteFailsOver() throws Exception {
    Observed<ChatRequest, StreamChunk> a = hangingStream("up");
    Observed<ChatRequest, CompletionResponse> b = hangingChat();

    Outcome refused = gateway.chat(Requests.chat("up", "hi").setModel("ok").build());
    Outcome routed = gateway.chat(Requests.chat("", "hi").setModel("smart").build());

    assertThat(refused.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(refused.reason()).isEqualTo("GATEWAY_OVERLOADED");
    assertThat(refused.millis()).as("refused at once").isLessThan(50);
    assertThat(routed.content()).isEqualTo("from other");
    assertThat(routed.metadata())
        .containsEntry("attempt_log", "up/m GATEWAY_OVERLOADED; other/m ok");
    assertThat(upstream.requestCount()).isEqualTo(2);

    a.call.cancel("done", null);
    b.call.cancel("done", null);
    assertThat(Leftovers.await(() -> upstream.activeResponses() == 0, Duration.ofSeconds(2)))
        .isTrue();
    assertThat(gateway.chat(Requests.chat("up", "hi").setModel("ok").build()).ok())
        .as("slots came back")
        .isTrue();
  }

  @Test
  void calls_gatewayFull_everySurfaceRefusedAtOnce() throws Exception {
    Observed<ChatRequest, StreamChunk> a = hangingStream("up");
    Observed<ChatRequest, CompletionResponse> b = hangingChat();
    Observed<ChatRequest, StreamChunk> c = hangingStream("other");
    ChatRequest request = Requests.chat("other", "hi").setModel("ok").build();

    Outcome chat = gateway.chat(request);
    Outcome stream = gateway.stream(request);
    FaultGateway.Conversation conversation = gateway.converse();
    conversation.start("t1", request);
    Outcome turn = conversation.awaitEnd("t1");

    for (Outcome o : new Outcome[] {chat, stream, turn}) {
      assertThat(o.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(o.reason()).isEqualTo("GATEWAY_OVERLOADED");
      assertThat(o.millis()).as("refused at once").isLessThan(50);
    }
    assertThat(other.requestCount()).as("refused calls never reach the upstream").isEqualTo(1);

    a.call.cancel("done", null);
    b.call.cancel("done", null);
    c.call.cancel("done", null);
    assertThat(
            Leftovers.await(
                () -> upstream.activeResponses() + other.activeResponses() == 0,
                Duration.ofSeconds(2)))
        .isTrue();
    conversation.start("t2", request);
    assertThat(conversation.awaitEnd("t2").ok()).as("slots came back").isTrue();
  }

  private Observed<ChatRequest, StreamChunk> hangingStream(String provider)
      throws InterruptedException {
    Observed<ChatRequest, StreamChunk> call = new Observed<>();
    ProviderServiceGrpc.newStub(gateway.channel).stream(
        Requests.chat(provider, "hi").setModel("hangs").build(), call);
    call.next();
    return call;
  }

  private Observed<ChatRequest, CompletionResponse> hangingChat() throws InterruptedException {
    int before = upstream.requestCount();
    Observed<ChatRequest, CompletionResponse> call = new Observed<>();
    ProviderServiceGrpc.newStub(gateway.channel)
        .chat(Requests.chat("up", "hi").setModel("hangs").build(), call);
    assertThat(Leftovers.await(() -> upstream.requestCount() > before, Duration.ofSeconds(5)))
        .isTrue();
    return call;
  }
}
