package dev.providergateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.server.GatewayServer;
import dev.providergateway.testing.Requests;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Balanced routes end to end: the real Netty gateway in front of two fake OpenAI-compatible
 * upstreams, each its own provider entry, behind one route whose {@code balance} picks each call's
 * first target. Timing bounds compare a call with calls the healthy upstream served directly, so a
 * loaded machine slows both alike.
 */
class RouteBalancingTest {
  private final FakeUpstream a = FakeUpstream.start();
  private final FakeUpstream b = FakeUpstream.start();
  private GatewayServer gateway;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (gateway != null) {
      gateway.shutdown();
    }
    a.close();
    b.close();
  }

  /**
   * Starts the gateway with providers pa (upstream a) and pb (upstream b) and route {@code smart}
   * over pa/m and pb/m; {@code routeExtra} goes into the route entry (for example {@code balance}),
   * {@code weights} onto its targets.
   */
  private void start(String routeExtra, int[] weights, String topExtra) throws Exception {
    String yaml =
        """
        server: {host: 127.0.0.1, port: 0, shutdown_grace: 1s}
        providers:
          - {name: pa, type: openai, api_key: sk-a, base_url: "%s/v1", default_model: m}
          - {name: pb, type: openai, api_key: sk-b, base_url: "%s/v1", default_model: m}
        routes:
          smart:
            %s
            targets:
              - {provider: pa, model: m, weight: %d}
              - {provider: pb, model: m, weight: %d}
        %s
        """
            .formatted(a.baseUri(), b.baseUri(), routeExtra, weights[0], weights[1], topExtra);
    gateway =
        GatewayServer.netty(ConfigLoader.parse(yaml, Map.of()), Map.of(), Clock.systemUTC())
            .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
  }

  private ProviderServiceGrpc.ProviderServiceBlockingStub stub() {
    return ProviderServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  private static ChatRequest route() {
    return Requests.chat("", "hi").setModel("smart").build();
  }

  private Outcome chat(ChatRequest request) {
    long start = System.nanoTime();
    try {
      return Outcome.success(stub().chat(request), start);
    } catch (StatusRuntimeException e) {
      return Outcome.failure(e, List.of(), start);
    }
  }

  @Test
  void chat_weightedRandomRoute_splitsFourHundredCallsByTargetWeight() throws Exception {
    a.otherwise(r -> Wire.completion("from a"));
    b.otherwise(r -> Wire.completion("from b"));
    start("balance: weighted_random", new int[] {1, 3}, "");

    for (int i = 0; i < 400; i++) {
      assertThat(stub().chat(route()).getContent()).startsWith("from ");
    }

    // Expected 100 / 300; 45 is more than five standard deviations (8.7) of each count.
    assertThat(a.requestCount()).isBetween(55, 145);
    assertThat(b.requestCount()).isBetween(255, 345);
    assertThat(a.requestCount() + b.requestCount()).as("no call failed over").isEqualTo(400);
  }

  @Test
  void chat_orderedRoute_alwaysStartsAtTheFirstTarget() throws Exception {
    a.otherwise(r -> Wire.completion("from a"));
    b.otherwise(r -> Wire.completion("from b"));
    start("", new int[] {1, 1000}, "");

    for (int i = 0; i < 20; i++) {
      assertThat(stub().chat(route()).getContent()).isEqualTo("from a");
    }

    assertThat(b.requestCount()).as("weights mean nothing to an ordered route").isZero();
  }

  @Test
  void chat_leastInFlightRoute_sendsNewCallsAwayFromTheTargetHoldingASlowCall() throws Exception {
    a.otherwise(r -> Wire.completion("slow").withDelayBeforeHeaders(Duration.ofSeconds(20)));
    b.otherwise(r -> Wire.completion("ok"));
    start("balance: least_in_flight", new int[] {1, 1}, "");
    var async = ProviderServiceGrpc.newFutureStub(channel);
    List<ListenableFuture<CompletionResponse>> started = new ArrayList<>();
    // Calls until one is held by the slow target (each idle tie lands there with a fair chance).
    while (a.requestCount() == 0 && started.size() < 200) {
      ListenableFuture<CompletionResponse> call =
          async.withDeadlineAfter(30, TimeUnit.SECONDS).chat(route());
      started.add(call);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!call.isDone() && a.requestCount() == 0 && System.nanoTime() < until) {
        Thread.sleep(1);
      }
    }
    assertThat(a.requestCount()).isEqualTo(1);

    for (int i = 0; i < 30; i++) {
      assertThat(stub().chat(route()).getContent()).isEqualTo("ok");
    }

    assertThat(a.requestCount()).as("no new call went to the busy target").isEqualTo(1);
    started.forEach(f -> f.cancel(true));
  }

  @Test
  void chat_lowestLatencyRoute_prefersTheFasterTargetOnceMeasured() throws Exception {
    a.otherwise(r -> Wire.completion("slow").withDelayBeforeHeaders(Duration.ofMillis(300)));
    b.otherwise(r -> Wire.completion("ok"));
    start("balance: lowest_latency", new int[] {1, 1}, "");

    for (int i = 0; i < 20; i++) {
      stub().chat(route());
    }

    // Each unmeasured target is tried once; then the slow one is never chosen first again.
    assertThat(a.requestCount()).isEqualTo(1);
    assertThat(b.requestCount()).isEqualTo(19);
  }

  @Test
  void chat_rateLimitOnTheBalancedTarget_movesTheCallToTheOtherWithNoWait() throws Exception {
    Duration healthy = Duration.ofMillis(300);
    a.otherwise(
        r ->
            Response.json(429, Wire.error("requests", "Rate limit reached for requests"))
                .withHeader("Retry-After", "30"));
    b.otherwise(r -> Wire.completion("ok").withDelayBeforeHeaders(healthy));
    start("balance: weighted_random", new int[] {1000, 1}, "resilience: {max_retries: 3}");

    // Warm-up on another model: a connection to each upstream, so the measured call pays no
    // first-use cost the calls it is compared with do not.
    chat(Requests.chat("pa", "hi").setModel("warm-up").build());
    for (int i = 0; i < 3; i++) {
      assertThat(chat(Requests.chat("pb", "hi").setModel("warm-up").build()).ok()).isTrue();
    }
    int throttledBefore = a.requestCount();
    List<Long> direct = new ArrayList<>();
    Outcome throttled = null;
    for (int i = 0; i < 20 && throttled == null; i++) {
      int before = a.requestCount();
      Outcome o = chat(route());
      assertThat(o.ok()).as("call %d: %s %s", i, o.code(), o.reason()).isTrue();
      if (a.requestCount() > before) {
        throttled = o;
      } else {
        direct.add(o.millis());
      }
    }
    assertThat(throttled).as("a call started at the heavy target").isNotNull();
    for (int i = 0; i < 5; i++) {
      Outcome o = chat(route());
      assertThat(o.ok()).isTrue();
      direct.add(o.millis());
    }

    long baseline = direct.stream().mapToLong(Long::longValue).min().orElseThrow();
    assertThat(throttled.millis())
        .as("the throttled call against calls served directly (%s ms)", direct)
        .isLessThanOrEqualTo(baseline + 100);
    assertThat(throttled.response().getMetadataMap().get("attempt_log"))
        .isEqualTo("pa/m PROVIDER_RATE_LIMIT; pb/m ok");
    assertThat(a.requestCount())
        .as("the cooling target is not picked, nor reached as a fallback")
        .isEqualTo(throttledBefore + 1);
  }
}
