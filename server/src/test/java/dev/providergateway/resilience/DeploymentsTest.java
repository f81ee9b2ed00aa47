package dev.providergateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.server.GatewayServer;
import dev.providergateway.testing.Requests;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CircuitState;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.DeploymentInfo;
import dev.providergateway.v1.ListProvidersRequest;
import dev.providergateway.v1.ProviderInfo;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Deployments end to end: the real Netty gateway in front of three fake OpenAI-compatible upstreams
 * serving one provider's models, each deployment with its own key, headers, breaker and cooldowns.
 * Timing bounds compare a call with calls the healthy upstreams served directly, so a loaded
 * machine slows both alike.
 */
class DeploymentsTest {
  private final FakeUpstream a = FakeUpstream.start();
  private final FakeUpstream b = FakeUpstream.start();
  private final FakeUpstream c = FakeUpstream.start();
  private final List<FakeUpstream> upstreams = List.of(a, b, c);
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
    upstreams.forEach(FakeUpstream::close);
  }

  /**
   * Starts the gateway with provider {@code up} over deployments a, b, c (weights {@code weights}),
   * {@code balance}, and extra YAML for the provider entry and the top level.
   */
  private void start(String balance, int[] weights, String providerExtra, String topExtra)
      throws Exception {
    String yaml =
        """
        server: {host: 127.0.0.1, port: 0, shutdown_grace: 1s}
        providers:
          - name: up
            type: openai
            api_key: ${KEY_SHARED}
            default_model: m
            balance: %s
            deployments:
              - {id: a, base_url: "%s/v1", api_key: "${KEY_A}", weight: %d, headers: {x-region: eu}}
              - {id: b, base_url: "%s/v1", api_key: "${KEY_B}", weight: %d}
              - {id: c, base_url: "%s/v1", weight: %d, model: c-model}
        %s
        %s
        """
            .formatted(
                balance,
                a.baseUri(),
                weights[0],
                b.baseUri(),
                weights[1],
                c.baseUri(),
                weights[2],
                providerExtra.indent(4),
                topExtra);
    Map<String, String> env =
        Map.of("KEY_A", "sk-key-a-123", "KEY_B", "sk-key-b-456", "KEY_SHARED", "sk-shared-789");
    gateway = GatewayServer.netty(ConfigLoader.parse(yaml, env), env, Clock.systemUTC()).start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
  }

  private void answerAll(Function<FakeUpstream.RecordedRequest, Response> responder) {
    upstreams.forEach(u -> u.otherwise(responder));
  }

  private ProviderServiceGrpc.ProviderServiceBlockingStub stub() {
    return ProviderServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  private static ChatRequest request(String model) {
    return Requests.chat("up", "hi").setModel(model).build();
  }

  private Outcome chat(ChatRequest request, long deadlineMillis) {
    long start = System.nanoTime();
    try {
      return Outcome.success(
          ProviderServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
              .chat(request),
          start);
    } catch (StatusRuntimeException e) {
      return Outcome.failure(e, List.of(), start);
    }
  }

  private ProviderInfo listed(String provider) {
    return stub()
        .listProviders(ListProvidersRequest.getDefaultInstance())
        .getProvidersList()
        .stream()
        .filter(p -> p.getName().equals(provider))
        .findFirst()
        .orElseThrow();
  }

  private static DeploymentInfo deployment(ProviderInfo info, String id) {
    return info.getDeploymentsList().stream()
        .filter(d -> d.getId().equals(id))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void chat_weightedRandom_splitsThousandCallsByWeightWithEachDeploymentsOwnSettings()
      throws Exception {
    answerAll(r -> Wire.completion("ok"));
    start("weighted_random", new int[] {1, 2, 7}, "", "");

    for (int i = 0; i < 1000; i++) {
      assertThat(stub().chat(request("m")).getContent()).isEqualTo("ok");
    }

    // Expected 100 / 200 / 700; 50 is more than five standard deviations of each count.
    assertThat(a.requestCount()).isBetween(50, 150);
    assertThat(b.requestCount()).isBetween(150, 250);
    assertThat(c.requestCount()).isBetween(650, 750);
    assertThat(a.requestCount() + b.requestCount() + c.requestCount()).isEqualTo(1000);
    var toA = a.takeRequest();
    assertThat(toA.header("authorization")).isEqualTo("Bearer sk-key-a-123");
    assertThat(toA.header("x-region")).isEqualTo("eu");
    assertThat(toA.json().path("model").asText()).isEqualTo("m");
    assertThat(b.takeRequest().header("authorization")).isEqualTo("Bearer sk-key-b-456");
    var toC = c.takeRequest();
    assertThat(toC.header("authorization")).as("inherited key").isEqualTo("Bearer sk-shared-789");
    assertThat(toC.json().path("model").asText()).as("model override").isEqualTo("c-model");
  }

  @Test
  void listProviders_showsEachDeploymentWithItsStateAndNoSecret() throws Exception {
    answerAll(r -> Wire.completion("ok"));
    start("least_in_flight", new int[] {1, 2, 7}, "", "");

    ProviderInfo info = listed("up");

    assertThat(info.getDeploymentsList())
        .extracting(DeploymentInfo::getId)
        .containsExactly("a", "b", "c");
    DeploymentInfo depA = deployment(info, "a");
    assertThat(depA.getKeyId()).matches("sha256:[0-9a-f]{8}");
    assertThat(depA.getKeyId()).isNotEqualTo(deployment(info, "b").getKeyId());
    assertThat(depA.getWeight()).isEqualTo(1);
    assertThat(depA.getState()).isEqualTo("available");
    assertThat(depA.getCircuitState()).isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
    assertThat(depA.getHost()).as("hosts hidden by default").isEmpty();
    assertThat(deployment(info, "c").getModel()).isEqualTo("c-model");
    assertThat(info.toString()).doesNotContain("sk-key-a-123", "sk-key-b-456", "sk-shared-789");
    assertThat(listed("echo").getDeploymentsList())
        .as("a provider without deployments is its own, `default`")
        .extracting(DeploymentInfo::getId, DeploymentInfo::getKeyId, DeploymentInfo::getState)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("default", "", "available"));
  }

  @Test
  void chat_leastInFlight_sendsNewCallsAwayFromTheSlowDeployment() throws Exception {
    a.otherwise(r -> Wire.completion("slow").withDelayBeforeHeaders(Duration.ofSeconds(20)));
    b.otherwise(r -> Wire.completion("ok"));
    c.otherwise(r -> Wire.completion("ok"));
    start("least_in_flight", new int[] {1, 1, 1}, "", "");
    var async = ProviderServiceGrpc.newFutureStub(channel);
    List<ListenableFuture<CompletionResponse>> started = new ArrayList<>();
    // Calls until one is held by the slow deployment (each lands there with a fair chance).
    while (a.requestCount() == 0 && started.size() < 200) {
      ListenableFuture<CompletionResponse> call =
          async.withDeadlineAfter(30, TimeUnit.SECONDS).chat(request("m"));
      started.add(call);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!call.isDone() && a.requestCount() == 0 && System.nanoTime() < until) {
        Thread.sleep(1);
      }
    }
    assertThat(a.requestCount()).isEqualTo(1);

    for (int i = 0; i < 30; i++) {
      assertThat(stub().chat(request("m")).getContent()).isEqualTo("ok");
    }

    assertThat(a.requestCount()).as("no new call went to the busy deployment").isEqualTo(1);
    assertThat(deployment(listed("up"), "a").getInFlight()).isEqualTo(1);
    started.forEach(f -> f.cancel(true));
  }

  @Test
  void chat_lowestLatency_prefersTheFasterDeploymentsOnceMeasured() throws Exception {
    a.otherwise(r -> Wire.completion("slow").withDelayBeforeHeaders(Duration.ofMillis(300)));
    b.otherwise(r -> Wire.completion("ok"));
    c.otherwise(r -> Wire.completion("ok"));
    start("lowest_latency", new int[] {1, 1, 1}, "", "");

    for (int i = 0; i < 30; i++) {
      stub().chat(request("m"));
    }

    // Each unmeasured deployment is tried once; then the slow one is never chosen again.
    assertThat(a.requestCount()).isEqualTo(1);
    assertThat(b.requestCount() + c.requestCount()).isEqualTo(29);
    assertThat(deployment(listed("up"), "a").getLatencyMs()).isGreaterThanOrEqualTo(300);
  }

  @Test
  void chat_retryAfter30OnOneDeployment_movesThatCallAndTheNextOnesAtOnce() throws Exception {
    Duration healthy = Duration.ofMillis(300);
    a.otherwise(
        r ->
            Response.json(429, Wire.error("requests", "Rate limit reached for requests"))
                .withHeader("Retry-After", "30"));
    b.otherwise(r -> Wire.completion("ok").withDelayBeforeHeaders(healthy));
    c.otherwise(r -> Wire.completion("ok").withDelayBeforeHeaders(healthy));
    start("weighted_random", new int[] {1000, 1, 1}, "", "resilience: {max_retries: 3}");

    // Warm-up on another model: the 429 path and a connection to every upstream, so the measured
    // call pays no first-use cost the calls it is compared with do not.
    for (int i = 0; i < 6; i++) {
      assertThat(chat(request("warm-up"), 20_000).ok()).isTrue();
    }
    int throttledBefore = a.requestCount();
    List<Long> direct = new ArrayList<>();
    Outcome throttled = null;
    for (int i = 0; i < 40 && throttled == null; i++) {
      int before = a.requestCount();
      Outcome o = chat(request("m"), 20_000);
      assertThat(o.ok()).as("call %d: %s %s", i, o.code(), o.reason()).isTrue();
      if (a.requestCount() > before) {
        throttled = o;
      } else {
        direct.add(o.millis());
      }
    }
    assertThat(throttled).as("a call reached the throttled deployment").isNotNull();
    for (int i = 0; i < 5; i++) {
      Outcome o = chat(request("m"), 20_000);
      assertThat(o.ok()).isTrue();
      direct.add(o.millis());
    }

    long baseline = direct.stream().mapToLong(Long::longValue).min().orElseThrow();
    assertThat(throttled.millis())
        .as("the throttled call against calls served directly (%s ms)", direct)
        .isLessThanOrEqualTo(baseline + 100);
    assertThat(a.requestCount())
        .as("the cooled-down deployment is skipped")
        .isEqualTo(throttledBefore + 1);
    assertThat(throttled.response().getMetadataMap().get("attempt_log"))
        .startsWith("up/m@a PROVIDER_RATE_LIMIT; up/m@")
        .endsWith(" ok");
    DeploymentInfo depA = deployment(listed("up"), "a");
    assertThat(depA.getState()).isEqualTo("cooling_down");
    assertThat(depA.getCooldownRemainingMs()).isBetween(20_000L, 30_000L);
    assertThat(depA.getCircuitState())
        .as("a rate limit is no breaker failure")
        .isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
  }

  @Test
  void chat_allDeploymentsThrottled_failsFastWithTheShortestHint() throws Exception {
    a.otherwise(r -> rateLimited("5"));
    b.otherwise(r -> rateLimited("7"));
    c.otherwise(r -> rateLimited("9"));
    start(
        "weighted_random",
        new int[] {1, 1, 1},
        "",
        "resilience: {max_retries: 3, rate_limit_max_wait: 1s}");

    Outcome o = chat(request("m"), 3_000);

    assertThat(o.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(o.reason()).isEqualTo("PROVIDER_RATE_LIMIT");
    assertThat(o.retryDelay()).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(5));
    assertThat(o.millis()).as("no wait: the shortest hint exceeds the maximum").isLessThan(1_000);
    assertThat(List.of(a.requestCount(), b.requestCount(), c.requestCount()))
        .containsExactly(1, 1, 1);

    Outcome again = chat(request("m"), 3_000);
    assertThat(again.reason()).isEqualTo("PROVIDER_RATE_LIMIT");
    assertThat(again.retryDelay()).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(5));
    assertThat(a.requestCount() + b.requestCount() + c.requestCount())
        .as("cooled-down deployments are not called")
        .isEqualTo(3);
  }

  @Test
  void chat_allThrottledWithHintBeyondDeadline_failsWithinTheDeadline() throws Exception {
    a.otherwise(r -> rateLimited("2"));
    b.otherwise(r -> rateLimited("3"));
    c.otherwise(r -> rateLimited("4"));
    start(
        "weighted_random",
        new int[] {1, 1, 1},
        "",
        "resilience: {max_retries: 3, rate_limit_max_wait: 10s}");

    Outcome o = chat(request("m"), 1_000);

    assertThat(o.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(o.retryDelay()).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(2));
    assertThat(o.millis()).isLessThan(1_000);
  }

  @Test
  void chat_allThrottledWithShortHint_sleepsOnlyThatLongThenSucceeds() throws Exception {
    AtomicInteger toA = new AtomicInteger();
    a.otherwise(
        r ->
            toA.getAndIncrement() == 0
                ? Response.json(429, Wire.error("requests", "Rate limit reached"))
                    .withHeader("retry-after-ms", "400")
                : Wire.completion("after the wait"));
    b.otherwise(r -> rateLimited("30"));
    c.otherwise(r -> rateLimited("30"));
    start(
        "weighted_random",
        new int[] {1, 1, 1},
        "",
        "resilience: {max_retries: 3, rate_limit_max_wait: 2s}");

    Outcome o = chat(request("m"), 10_000);

    assertThat(o.ok()).as("%s %s", o.code(), o.reason()).isTrue();
    assertThat(o.response().getContent()).isEqualTo("after the wait");
    assertThat(o.millis()).isBetween(350L, 2_500L);
    assertThat(a.requestCount()).isEqualTo(2);
  }

  @Test
  void chat_oneDeploymentFailingHard_opensOnlyItsBreaker() throws Exception {
    a.otherwise(r -> Response.json(500, Wire.error("server_error", "boom")));
    b.otherwise(r -> Wire.completion("ok"));
    c.otherwise(r -> Wire.completion("ok"));
    start(
        "weighted_random",
        new int[] {10, 1, 1},
        "breaker: {failure_threshold: 2, open_duration: 60s}",
        "resilience: {max_retries: 1, retry_base_delay: 10ms}");

    for (int i = 0; i < 30; i++) {
      Outcome o = chat(request(i % 2 == 0 ? "m" : "other-model"), 10_000);
      assertThat(o.ok()).as("call %d: %s %s", i, o.code(), o.reason()).isTrue();
    }

    ProviderInfo info = listed("up");
    assertThat(a.requestCount()).as("a is called until its breaker opens").isEqualTo(2);
    assertThat(deployment(info, "a").getCircuitState()).isEqualTo(CircuitState.CIRCUIT_STATE_OPEN);
    assertThat(deployment(info, "a").getState()).isEqualTo("circuit_open");
    assertThat(deployment(info, "b").getCircuitState())
        .isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
    assertThat(deployment(info, "c").getCircuitState())
        .isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
    assertThat(info.getCircuitState()).isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
  }

  @Test
  void chat_oneCallWithRetries_countsOnceTowardTheBreaker() throws Exception {
    answerAll(r -> Response.json(500, Wire.error("server_error", "boom")));
    start(
        "weighted_random",
        new int[] {1, 1, 1},
        "breaker: {failure_threshold: 2, open_duration: 60s}",
        "resilience: {max_retries: 3, retry_base_delay: 10ms, retry_jitter_percent: 0}");

    Outcome o = chat(request("m"), 10_000);

    assertThat(o.code()).isEqualTo(Status.Code.UNAVAILABLE);
    int attempts = a.requestCount() + b.requestCount() + c.requestCount();
    assertThat(attempts).as("every deployment tried, then retried").isGreaterThanOrEqualTo(4);
    ProviderInfo info = listed("up");
    assertThat(info.getDeploymentsList())
        .as("one call is one failure per breaker, under the threshold of 2")
        .allMatch(d -> d.getCircuitState() == CircuitState.CIRCUIT_STATE_CLOSED);
  }

  @Test
  void chat_unknownProviderPrefix_isProviderNotFoundNamingTheAvailableOnes() throws Exception {
    answerAll(r -> Wire.completion("ok"));
    start("weighted_random", new int[] {1, 1, 1}, "", "");

    Outcome typo = chat(Requests.chat("", "hi").setModel("nope/x").build(), 10_000);
    Outcome slashInId = chat(Requests.chat("up", "hi").setModel("org/model-x").build(), 10_000);
    Outcome prefixed = chat(Requests.chat("", "hi").setModel("up/org/model-y").build(), 10_000);

    assertThat(typo.code()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(typo.reason()).isEqualTo("PROVIDER_NOT_FOUND");
    StatusRuntimeException error =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            () -> stub().chat(Requests.chat("", "hi").setModel("nope/x").build()),
            StatusRuntimeException.class);
    assertThat(error.getStatus().getDescription())
        .contains("'nope'", "available providers:", "echo", "up");
    assertThat(slashInId.ok()).isTrue();
    assertThat(prefixed.ok()).isTrue();
    List<String> models = new ArrayList<>();
    for (FakeUpstream u : upstreams) {
      while (u.pendingRequests() > 0) {
        models.add(u.takeRequest().json().path("model").asText());
      }
    }
    // Deployment c sends its own model id (c-model) whatever was asked.
    assertThat(models).hasSize(2);
    assertThat(models)
        .anyMatch(m -> m.equals("org/model-x") || m.equals("c-model"))
        .anyMatch(m -> m.equals("org/model-y") || m.equals("c-model"))
        .allMatch(m -> m.equals("org/model-x") || m.equals("org/model-y") || m.equals("c-model"));
  }

  @Test
  void echoKnobs_simulatedRateLimitAndQuota_doNotCoolEchoDownForOthers() throws Exception {
    start("weighted_random", new int[] {1, 1, 1}, "", "");
    ChatRequest limited =
        Requests.chat("echo", "x")
            .setExtra(
                Requests.struct(
                    "{\"echo_error\": \"PROVIDER_RATE_LIMIT\", \"echo_retry_after_ms\": 600000}"))
            .build();
    ChatRequest quota =
        Requests.chat("echo", "x")
            .setExtra(Requests.struct("{\"echo_error\": \"PROVIDER_QUOTA\"}"))
            .build();

    Outcome first = chat(limited, 10_000);
    Outcome afterLimit = chat(Requests.chat("echo", "still here").build(), 10_000);
    Outcome second = chat(quota, 10_000);
    Outcome afterQuota = chat(Requests.chat("echo", "still here").build(), 10_000);

    assertThat(first.reason()).isEqualTo("PROVIDER_RATE_LIMIT");
    assertThat(first.retryDelay()).isEqualTo(Duration.ofMinutes(10));
    assertThat(second.reason()).isEqualTo("PROVIDER_QUOTA");
    assertThat(afterLimit.ok()).isTrue();
    assertThat(afterQuota.ok()).isTrue();
    assertThat(afterQuota.response().getContent()).isEqualTo("still here");
  }

  private static Response rateLimited(String retryAfterSeconds) {
    return Response.json(429, Wire.error("requests", "Rate limit reached for requests"))
        .withHeader("Retry-After", retryAfterSeconds);
  }
}
