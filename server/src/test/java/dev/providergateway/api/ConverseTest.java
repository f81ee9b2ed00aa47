package dev.providergateway.api;

import static dev.providergateway.testing.Requests.chat;
import static dev.providergateway.testing.Requests.extra;
import static dev.providergateway.testing.Requests.weatherTool;
import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.testing.Statuses;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import dev.providergateway.v1.Message;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Converse: multiplexed turns, per-turn cancel and errors in-band, server-held history. */
class ConverseTest {
  private final TestGateway gateway = new TestGateway();
  private final Session session = new Session();

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
  }

  @Test
  void converse_twoConcurrentTurnsOneCancelled_otherCompletesAndStreamSurvives() throws Exception {
    ChatRequest slow =
        chat("echo", "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10").setExtra(extra("echo_delay_ms", 20)).build();
    session.start("a", slow, false);
    session.start("b", slow, false);
    session.awaitChunk("b");
    session.cancel("b");

    List<ConverseResponse> a = session.awaitEnd("a");
    List<ConverseResponse> b = session.awaitEnd("b");

    assertThat(a.get(a.size() - 1).getChunk().getIsFinal()).isTrue();
    assertThat(a.stream().map(r -> r.getChunk().getContent()).reduce("", String::concat))
        .isEqualTo("w1 w2 w3 w4 w5 w6 w7 w8 w9 w10");
    assertThat(b.get(b.size() - 1).getError().getCode()).isEqualTo(Status.Code.CANCELLED.value());
    assertThat(b).noneMatch(r -> r.getChunk().getIsFinal());

    session.start("c", chat("echo", "still here").build(), false);
    List<ConverseResponse> c = session.awaitEnd("c");
    assertThat(c.get(0).getChunk().getContent()).isEqualTo("still");
    session.halfClose();
    assertThat(session.completed.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void converse_failedTurn_reportsErrorInBandAndOtherTurnsRun() throws Exception {
    session.start(
        "bad",
        chat("echo", "x").setExtra(extra("echo_error", "PROVIDER_RATE_LIMIT")).build(),
        false);
    session.start("invalid", chat("echo", "x").setTemperature(3).build(), false);
    // Another model: the rate limit above starts a cooldown for echo/echo-1 (a contract rule).
    session.start("good", chat("echo", "fine").setModel("echo-2").build(), false);

    ConverseResponse bad = last(session.awaitEnd("bad"));
    ConverseResponse invalid = last(session.awaitEnd("invalid"));
    ConverseResponse good = last(session.awaitEnd("good"));

    assertThat(bad.getError().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED.value());
    assertThat(Statuses.errorInfo(bad.getError()).getReason()).isEqualTo("PROVIDER_RATE_LIMIT");
    assertThat(invalid.getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    assertThat(Statuses.violatedFields(invalid.getError())).containsExactly("temperature");
    assertThat(good.getChunk().getIsFinal()).isTrue();
  }

  @Test
  void converse_duplicateRunningTurnId_rejectedInBand() throws Exception {
    ChatRequest slow = chat("echo", "a b c").setExtra(extra("echo_delay_ms", 50)).build();
    session.start("t", slow, false);
    session.start("t", slow, false);

    ConverseResponse first = session.responses.poll(5, TimeUnit.SECONDS);

    assertThat(first.getTurnId()).isEqualTo("t");
    assertThat(first.getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    assertThat(first.getError().getMessage()).contains("still running");
  }

  @Test
  void converse_useHistory_clientSendsOnlyNewMessages() throws Exception {
    session.start(
        "1",
        chat("echo", "call get_weather {\"city\":\"Oslo\"}").addTools(weatherTool()).build(),
        true);
    ConverseResponse end = last(session.awaitEnd("1"));
    assertThat(end.getChunk().getToolCalls(0).getId()).isEqualTo("echo_call_0");

    ChatRequest toolResult =
        ChatRequest.newBuilder()
            .setProvider("echo")
            .addTools(weatherTool())
            .addMessages(
                Message.newBuilder()
                    .setRole("tool")
                    .setToolCallId("echo_call_0")
                    .setContent("sunny, 21C"))
            .build();
    session.start("2", toolResult, true);
    List<ConverseResponse> second = session.awaitEnd("2");

    assertThat(last(second).getChunk().getIsFinal()).isTrue();
    assertThat(second.stream().map(r -> r.getChunk().getContent()).reduce("", String::concat))
        .isEqualTo("sunny, 21C");
    assertThat(last(second).getChunk().getUsage().getPromptTokens()).isEqualTo(3 + 2);
  }

  @Test
  void converse_withoutHistory_toolResultAloneIsInvalid() throws Exception {
    ChatRequest toolResult =
        ChatRequest.newBuilder()
            .setProvider("echo")
            .addMessages(
                Message.newBuilder()
                    .setRole("tool")
                    .setToolCallId("echo_call_0")
                    .setContent("sunny"))
            .build();
    session.start("1", toolResult, true);

    assertThat(last(session.awaitEnd("1")).getError().getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT.value());
  }

  private static ConverseResponse last(List<ConverseResponse> turn) {
    return turn.get(turn.size() - 1);
  }

  /** A client side of one Converse call that collects every response. */
  private final class Session implements StreamObserver<ConverseResponse> {
    final LinkedBlockingQueue<ConverseResponse> responses = new LinkedBlockingQueue<>();
    final CountDownLatch completed = new CountDownLatch(1);
    final StreamObserver<ConverseRequest> requests = gateway.async().converse(this);
    private final List<ConverseResponse> seen = new ArrayList<>();

    void start(String id, ChatRequest request, boolean history) {
      requests.onNext(
          ConverseRequest.newBuilder()
              .setStart(
                  ConverseRequest.StartTurn.newBuilder()
                      .setTurnId(id)
                      .setRequest(request)
                      .setUseHistory(history))
              .build());
    }

    void cancel(String id) {
      requests.onNext(
          ConverseRequest.newBuilder()
              .setCancel(ConverseRequest.CancelTurn.newBuilder().setTurnId(id))
              .build());
    }

    void halfClose() {
      requests.onCompleted();
    }

    void awaitChunk(String id) throws InterruptedException {
      while (seen.stream().noneMatch(r -> r.getTurnId().equals(id))) {
        seen.add(next());
      }
    }

    List<ConverseResponse> awaitEnd(String id) throws InterruptedException {
      while (seen.stream()
          .noneMatch(
              r -> r.getTurnId().equals(id) && (r.hasError() || r.getChunk().getIsFinal()))) {
        seen.add(next());
      }
      return seen.stream().filter(r -> r.getTurnId().equals(id)).toList();
    }

    private ConverseResponse next() throws InterruptedException {
      ConverseResponse r = responses.poll(5, TimeUnit.SECONDS);
      if (r == null) {
        throw new AssertionError("no response within 5 s; seen " + seen);
      }
      return r;
    }

    @Override
    public void onNext(ConverseResponse value) {
      responses.add(value);
    }

    @Override
    public void onError(Throwable t) {
      completed.countDown();
    }

    @Override
    public void onCompleted() {
      completed.countDown();
    }
  }
}
