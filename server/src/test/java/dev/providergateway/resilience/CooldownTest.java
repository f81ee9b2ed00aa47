package dev.providergateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.testing.Requests;
import dev.providergateway.v1.ChatRequest;
import io.grpc.Status;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Rate-limit cooldowns per (provider, model), through real HTTP: after a 429, calls for the same
 * model fail fast with RetryInfo, without reaching the upstream, for the upstream's Retry-After,
 * else the configured period, or the quota period after a quota 429; other models are served.
 */
class CooldownTest {
  private final FakeUpstream upstream =
      FakeUpstream.startTracked()
          .otherwise(
              Upstreams.byModel(r -> Wire.answer(r.json().path("stream").asBoolean(), "ok")));
  private final FaultGateway gateway =
      new FaultGateway(
          """
      providers:
        - name: up
          type: openai
          base_url: %s/v1
          api_key: k
          breaker: {failure_threshold: 1000}
      resilience:
        max_retries: 0
        rate_limit_cooldown: 15s
        quota_cooldown: 300s
      """
              .formatted(upstream.baseUri()));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
    upstream.close();
  }

  @Test
  void chatAndStream_after429WithRetryAfter_sameModelFailsFastUntilItPasses() {
    assertThat(gateway.chat(request("limited")).retryDelay()).isEqualTo(Duration.ofSeconds(20));

    Outcome chat = gateway.chat(request("limited"));
    Outcome stream = gateway.stream(request("limited"));

    for (Outcome o : new Outcome[] {chat, stream}) {
      assertThat(o.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(o.reason()).isEqualTo("PROVIDER_RATE_LIMIT");
      assertThat(o.retryDelay()).isBetween(Duration.ofSeconds(19), Duration.ofSeconds(20));
      assertThat(o.millis()).as("fails fast").isLessThan(100);
    }
    assertThat(upstream.requestCount())
        .as("cooled-down calls never reach the upstream")
        .isEqualTo(1);
    assertThat(gateway.chat(request("ok")).ok()).as("another model of the provider").isTrue();

    gateway.clock.advance(Duration.ofSeconds(20));
    assertThat(gateway.chat(request("limited")).reason())
        .as("reaches the upstream again")
        .isEqualTo("PROVIDER_RATE_LIMIT");
    assertThat(upstream.requestCount()).isEqualTo(3);
  }

  @Test
  void chat_after429WithoutRetryAfter_coolsDownForConfiguredPeriod() {
    gateway.chat(request("busy"));

    gateway.clock.advance(Duration.ofSeconds(14));
    Outcome cooling = gateway.chat(request("busy"));
    gateway.clock.advance(Duration.ofSeconds(1));
    gateway.chat(request("busy"));

    assertThat(cooling.reason()).isEqualTo("PROVIDER_RATE_LIMIT");
    assertThat(cooling.retryDelay()).isLessThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(upstream.requestCount()).isEqualTo(2);
  }

  @Test
  void chat_afterQuota429_failsFastAsQuotaForQuotaPeriod() {
    gateway.chat(request("quota"));

    gateway.clock.advance(Duration.ofSeconds(299));
    Outcome cooling = gateway.chat(request("quota"));
    gateway.clock.advance(Duration.ofSeconds(1));
    gateway.chat(request("quota"));

    assertThat(cooling.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(cooling.reason()).isEqualTo("PROVIDER_QUOTA");
    assertThat(upstream.requestCount()).isEqualTo(2);
  }

  private static ChatRequest request(String model) {
    return Requests.chat("up", "hi").setModel(model).build();
  }
}
