package dev.providergateway.api;

import static dev.providergateway.testing.Requests.chat;
import static dev.providergateway.testing.Requests.extra;
import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The request limits bound a Converse stream's history even when use_history turns overlap. */
class ConverseHistoryLimitTest {
  private static final int LIMIT = 100 * 1024;
  private static final int TURNS = 32;

  private final TestGateway gateway =
      new TestGateway(
          ConfigLoader.parse(
              "providers: [{name: echo, type: echo}]\n"
                  + "limits: {max_request_bytes: "
                  + LIMIT
                  + ", max_turns_per_stream: "
                  + TURNS
                  + "}\n",
              Map.of()));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
  }

  @Test
  void converse_concurrentHistoryTurns_historyStaysWithinTheRequestLimit() throws Exception {
    Map<String, ConverseResponse> ends = new ConcurrentHashMap<>();
    CountDownLatch ended = new CountDownLatch(TURNS + 1);
    StreamObserver<ConverseRequest> requests =
        gateway
            .async()
            .converse(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ConverseResponse r) {
                    if (r.hasError() || r.getChunk().getIsFinal()) {
                      ends.put(r.getTurnId(), r);
                      ended.countDown();
                    }
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {}
                });
    // Each turn adds about 80 KB (a 40 KB message and its 40 KB echo): alone, each fits.
    ChatRequest big =
        chat("echo", "y".repeat(40 * 1024)).setExtra(extra("echo_delay_ms", 300)).build();
    for (int i = 0; i < TURNS; i++) {
      requests.onNext(start("t" + i, big));
    }
    awaitTurns(ends, TURNS);

    requests.onNext(start("after", chat("echo", "small").build()));
    assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
    requests.onCompleted();

    long succeeded =
        ends.entrySet().stream()
            .filter(e -> e.getKey().startsWith("t") && !e.getValue().hasError())
            .count();
    assertThat(succeeded).isBetween(1L, (long) LIMIT / (80 * 1024));
    ends.forEach(
        (id, r) -> {
          if (r.hasError()) {
            assertThat(r.getError().getCode())
                .as("turn %s: %s", id, r.getError().getMessage())
                .isEqualTo(Status.Code.INVALID_ARGUMENT.value());
          }
        });
    assertThat(ends.get("after").hasError())
        .as("a small turn after the others: %s", ends.get("after"))
        .isFalse();
  }

  private static void awaitTurns(Map<String, ConverseResponse> ends, int n)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (ends.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(ends).hasSize(n);
  }

  private static ConverseRequest start(String id, ChatRequest request) {
    return ConverseRequest.newBuilder()
        .setStart(
            ConverseRequest.StartTurn.newBuilder()
                .setTurnId(id)
                .setRequest(request)
                .setUseHistory(true))
        .build();
  }
}
