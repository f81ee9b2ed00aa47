package dev.providergateway.resilience;

import static dev.providergateway.v1.CircuitState.CIRCUIT_STATE_CLOSED;
import static dev.providergateway.v1.CircuitState.CIRCUIT_STATE_OPEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.server.GatewayServer;
import dev.providergateway.testing.Requests;
import dev.providergateway.v1.ChatRequest;
import io.grpc.Status;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fallback routes through real HTTP: a route fails over to its next target on a retryable failure
 * or an open circuit, only before the first output, and reports its attempts in the response
 * metadata; failures a replay cannot fix (4xx, malformed answers) do not fail over; a route that
 * reaches itself is refused at startup.
 */
class FallbackRouteTest {
  private final AtomicReference<String> primaryModel = new AtomicReference<>("fail");
  private final FakeUpstream primary =
      FakeUpstream.startTracked()
          .otherwise(
              r ->
                  Upstreams.byModel()
                      .apply(
                          new FakeUpstream.RecordedRequest(
                              r.method(),
                              r.path(),
                              r.query(),
                              r.headers(),
                              r.body()
                                  .replace(
                                      "\"model\":\"m\"",
                                      "\"model\":\"" + primaryModel.get() + "\""))));
  private final FakeUpstream backup =
      FakeUpstream.startTracked()
          .otherwise(r -> Wire.answer(r.json().path("stream").asBoolean(), "from backup"));
  private final FaultGateway gateway =
      new FaultGateway(
          """
      providers:
        - name: primary
          type: openai
          base_url: %s/v1
          api_key: k
          breaker: {failure_threshold: 2, open_duration: 30s}
        - name: backup
          type: openai
          base_url: %s/v1
          api_key: k
      routes:
        smart:
          targets: [{provider: primary, model: m}, {provider: backup, model: m2}]
      resilience:
        max_retries: 0
        first_token_timeout: 5s
        idle_timeout: 5s
      """
              .formatted(primary.baseUri(), backup.baseUri()));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
    primary.close();
    backup.close();
  }

  @Test
  void chat_primaryFailsThenOpens_backupServesWithAttemptLog() {
    Outcome first = gateway.chat(route());
    gateway.chat(route());
    assertThat(gateway.breaker("primary")).isEqualTo(CIRCUIT_STATE_OPEN);
    Outcome whileOpen = gateway.chat(route());

    assertThat(first.content()).isEqualTo("from backup");
    assertThat(first.metadata())
        .containsEntry("attempts", "2")
        .containsEntry("attempt_log", "primary/m PROVIDER_UNAVAILABLE; backup/m2 ok");
    assertThat(whileOpen.content()).isEqualTo("from backup");
    assertThat(whileOpen.metadata())
        .containsEntry("attempts", "2")
        .containsEntry("attempt_log", "primary/m CIRCUIT_OPEN; backup/m2 ok");
    assertThat(primary.requestCount()).as("the open primary is not called").isEqualTo(2);
    assertThat(backup.requestCount()).isEqualTo(3);
    assertThat(gateway.breaker("backup")).isEqualTo(CIRCUIT_STATE_CLOSED);
  }

  @Test
  void stream_primaryOpen_backupServesWithAttemptsOnFinalChunk() {
    gateway.stream(route());
    gateway.stream(route());

    Outcome whileOpen = gateway.stream(route());

    assertThat(whileOpen.ok()).isTrue();
    assertThat(whileOpen.content()).isEqualTo("from backup");
    assertThat(whileOpen.metadata())
        .containsEntry("attempts", "2")
        .containsEntry("attempt_log", "primary/m CIRCUIT_OPEN; backup/m2 ok");
    assertThat(primary.requestCount()).isEqualTo(2);
  }

  @Test
  void stream_primaryDiesAfterOutput_noFailover() {
    primaryModel.set("dies");

    Outcome outcome = gateway.stream(route());

    assertThat(outcome.content()).isEqualTo("Hel");
    assertThat(outcome.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(backup.requestCount()).isZero();
  }

  @Test
  void chat_primaryCoolingDownAfter429_backupServesWithoutCallingPrimary() {
    primaryModel.set("limited");

    Outcome first = gateway.chat(route());
    Outcome second = gateway.chat(route());

    assertThat(first.content()).isEqualTo("from backup");
    assertThat(second.content()).isEqualTo("from backup");
    assertThat(second.metadata().get("attempt_log")).startsWith("primary/m PROVIDER_RATE_LIMIT; ");
    assertThat(primary.requestCount()).isEqualTo(1);
  }

  @Test
  void chat_primaryRejectsOrAnswersGarbage_noFailover() {
    primaryModel.set("bad");
    Outcome rejected = gateway.chat(route());
    primaryModel.set("garbage");
    Outcome garbage = gateway.chat(route());
    Outcome garbageStream = gateway.stream(route());

    assertThat(rejected.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(garbage.code()).isEqualTo(Status.Code.INTERNAL);
    assertThat(garbageStream.code()).isEqualTo(Status.Code.INTERNAL);
    assertThat(backup.requestCount()).isZero();
  }

  @Test
  void startup_routeCycle_refusedNamingThePath() {
    assertThatThrownBy(
            () ->
                GatewayServer.netty(
                    ConfigLoader.parse(
                        """
        server: {host: 127.0.0.1, port: 0}
        providers: [{name: up, type: openai, base_url: "http://127.0.0.1:9/v1", api_key: k}]
        routes:
          a: {targets: [{provider: up, model: m}, {provider: b}]}
          b: {targets: [{provider: c}]}
          c: {targets: [{provider: a}]}
        """,
                        Map.of()),
                    Map.of(),
                    Clock.systemUTC()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("route cycle a -> b -> c -> a");
  }

  @Test
  void startup_routeNamingItself_refused() {
    assertThatThrownBy(
            () ->
                GatewayServer.netty(
                    ConfigLoader.parse(
                        """
        server: {host: 127.0.0.1, port: 0}
        providers: [{name: up, type: openai, base_url: "http://127.0.0.1:9/v1", api_key: k}]
        routes:
          loop: {targets: [{provider: loop}]}
        """,
                        Map.of()),
                    Map.of(),
                    Clock.systemUTC()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("route cycle loop -> loop");
  }

  private static ChatRequest route() {
    return Requests.chat("", "hi").setModel("smart").build();
  }
}
