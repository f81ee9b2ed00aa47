package dev.providergateway.api;

import static dev.providergateway.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.providergateway.config.GatewayConfig;
import dev.providergateway.config.ProviderConfig;
import dev.providergateway.testing.ProbeProviderFactory;
import dev.providergateway.testing.ProbeProviderFactory.Probe;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.CircuitState;
import dev.providergateway.v1.ListProvidersRequest;
import dev.providergateway.v1.ProviderServiceGrpc;
import dev.providergateway.v1.StreamChunk;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A caller's cancel or deadline reaches the provider on Chat and Stream, and never counts as a
 * failure.
 */
class CancellationTest {
  private final String name = "probe-" + System.nanoTime();
  private final Probe probe = ProbeProviderFactory.probe(name);
  private final TestGateway gateway =
      new TestGateway(
          GatewayConfig.defaults().withProviders(List.of(ProviderConfig.of(name, "probe"))));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
    ProbeProviderFactory.reset(name);
  }

  @Test
  void stream_clientCancelsAfterFirstChunk_cancelReachesProvider() throws Exception {
    try (Context.CancellableContext context = Context.current().withCancellation()) {
      Iterator<StreamChunk> chunks =
          context.call(() -> gateway.blocking().stream(chat(name, "hi").build()));
      assertThat(chunks.next().getContent()).isEqualTo("first");

      context.cancel(null);

      assertThat(probe.streamCancelled.await(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(state()).isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
  }

  @Test
  void chat_clientCancels_cancelReachesProvider() throws Exception {
    var future = ProviderServiceGrpc.newFutureStub(gateway.channel).chat(chat(name, "hi").build());
    assertThat(probe.chatStarted.await(5, TimeUnit.SECONDS)).isTrue();

    future.cancel(true);

    assertThat(probe.chatCancelled.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(state()).isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
  }

  @Test
  void chat_deadlinePasses_deadlineExceededAndProviderCancelled() throws Exception {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                gateway
                    .blocking()
                    .withDeadlineAfter(200, TimeUnit.MILLISECONDS)
                    .chat(chat(name, "hi").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(probe.chatCancelled.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(probe.lastContext.deadline()).isNotNull();
  }

  @Test
  void stream_repeatedCancels_neverOpenCircuit() throws Exception {
    for (int i = 0; i < 7; i++) {
      try (Context.CancellableContext context = Context.current().withCancellation()) {
        Iterator<StreamChunk> chunks =
            context.call(() -> gateway.blocking().stream(chat(name, "hi").build()));
        chunks.next();
        context.cancel(null);
      }
    }

    assertThat(state()).isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
  }

  private CircuitState state() {
    return gateway
        .blocking()
        .listProviders(ListProvidersRequest.getDefaultInstance())
        .getProvidersList()
        .stream()
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .orElseThrow()
        .getCircuitState();
  }
}
