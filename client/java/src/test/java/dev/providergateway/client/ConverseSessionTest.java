package dev.providergateway.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import dev.providergateway.v1.StreamChunk;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConverseSessionTest {
  private final InProcessGateway gateway = new InProcessGateway();
  private final FakeProviderService fake = gateway.service;
  private final GatewayClient client = GatewayClient.create(gateway.newChannel());

  @AfterEach
  void tearDown() {
    gateway.close();
  }

  private static String text(TurnStream turn) {
    return turn.stream().map(StreamChunk::getContent).collect(Collectors.joining());
  }

  @Test
  void startTurn_twoInterleavedTurns_eachTurnGetsOnlyItsChunks() throws Exception {
    fake.converseStartsBeforeReply = 2;
    try (ConverseSession session = client.converse();
        TurnStream a = session.startTurn("a", ChatRequests.of("alpha beta gamma").build(), true);
        TurnStream b = session.startTurn("b", ChatRequests.of("delta epsilon").build(), false)) {
      // Read b first: a's chunks, which arrived in between, must wait in a's own buffer.
      assertThat(text(b)).isEqualTo("delta epsilon");
      assertThat(text(a)).isEqualTo("alpha beta gamma");
      assertThat(a.hasNext()).isFalse();
    }

    assertThat(fake.converseSent)
        .extracting(ConverseResponse::getTurnId)
        .containsExactly("a", "b", "a", "b", "a", "b", "a");
    ConverseRequest first = fake.converseRequests.poll(5, TimeUnit.SECONDS);
    assertThat(first.getStart().getTurnId()).isEqualTo("a");
    assertThat(first.getStart().getUseHistory()).isTrue();
    assertThat(first.getStart().getRequest())
        .isEqualTo(ChatRequests.of("alpha beta gamma").build());
  }

  @Test
  void startTurn_oneTurnFailsInBand_onlyThatTurnThrowsAndOthersGoOn() {
    fake.converseStartsBeforeReply = 2;
    try (ConverseSession session = client.converse()) {
      TurnStream failing =
          session.startTurn("bad", ChatRequests.of(FakeProviderService.FAIL).build(), false);
      TurnStream good = session.startTurn("good", ChatRequests.of("still here").build(), false);

      assertThatThrownBy(failing::hasNext)
          .isInstanceOfSatisfying(
              GatewayException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.reason()).isEqualTo("INVALID_REQUEST");
                assertThat(e.fieldViolations())
                    .extracting(GatewayException.FieldViolation::field)
                    .containsExactly("messages[0].role");
              });
      assertThat(failing.hasNext()).isFalse();
      assertThat(text(good)).isEqualTo("still here");

      // The failed turn's id is free again and the session still works.
      TurnStream retry = session.startTurn("bad", ChatRequests.of("fixed").build(), false);
      assertThat(text(retry)).isEqualTo("fixed");
    }
  }

  @Test
  void close_turnClosedBeforeEnd_sendsCancelTurn() throws Exception {
    try (ConverseSession session = client.converse()) {
      TurnStream turn =
          session.startTurn("t1", ChatRequests.of(FakeProviderService.HANG).build(), false);
      assertThat(turn.next().getContent()).isEqualTo("waiting");

      turn.close();

      assertThat(turn.hasNext()).isFalse();
      assertThat(fake.converseRequests.poll(5, TimeUnit.SECONDS).hasStart()).isTrue();
      ConverseRequest cancel = fake.converseRequests.poll(5, TimeUnit.SECONDS);
      assertThat(cancel).isNotNull();
      assertThat(cancel.getCancel().getTurnId()).isEqualTo("t1");
    }
  }

  @Test
  void close_turnAlreadyFinished_sendsNoCancelTurn() throws Exception {
    ConverseSession session = client.converse();
    TurnStream turn = session.startTurn("t1", ChatRequests.of("done").build(), false);
    assertThat(text(turn)).isEqualTo("done");

    turn.close();
    session.close();

    // Requests arrive in order, so by the half-close any CancelTurn would have been recorded.
    assertThat(fake.converseHalfClosed.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(fake.converseRequests).extracting(ConverseRequest::hasCancel).containsExactly(false);
  }

  @Test
  void close_session_runningTurnsFinishAndNoNewTurnStarts() {
    fake.converseStartsBeforeReply = 2;
    ConverseSession session = client.converse();
    TurnStream turn = session.startTurn("t1", ChatRequests.of("after the close").build(), false);

    // Fewer turns than the fake waits for: it answers only because the half-close flushes it.
    session.close();

    assertThat(text(turn)).isEqualTo("after the close");
    assertThatThrownBy(() -> session.startTurn("t2", ChatRequests.of("late").build(), false))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void cancel_session_runningTurnThrowsCancelledAndServerSeesCancel() throws Exception {
    ConverseSession session = client.converse();
    TurnStream turn =
        session.startTurn("t1", ChatRequests.of(FakeProviderService.HANG).build(), false);
    assertThat(turn.next().getContent()).isEqualTo("waiting");

    session.cancel();

    assertThatThrownBy(turn::hasNext)
        .isInstanceOfSatisfying(
            GatewayException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.CANCELLED));
    assertThat(fake.converseCancelled.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void startTurn_idOfRunningTurn_throwsIllegalState() {
    try (ConverseSession session = client.converse()) {
      TurnStream running =
          session.startTurn("t1", ChatRequests.of(FakeProviderService.HANG).build(), false);

      assertThatThrownBy(() -> session.startTurn("t1", ChatRequests.of("again").build(), false))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("t1");
      running.close();
    }
  }

  @Test
  void startTurn_emptyId_throwsIllegalArgument() {
    try (ConverseSession session = client.converse()) {
      assertThatThrownBy(() -> session.startTurn("", ChatRequests.of("x").build(), false))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void startTurn_turnsFromSeveralThreads_allComplete() throws Exception {
    try (ConverseSession session = client.converse()) {
      List<java.util.concurrent.CompletableFuture<String>> replies =
          java.util.stream.IntStream.range(0, 8)
              .mapToObj(
                  i ->
                      java.util.concurrent.CompletableFuture.supplyAsync(
                          () -> {
                            try (TurnStream turn =
                                session.startTurn(
                                    "t" + i, ChatRequests.of("reply " + i).build(), false)) {
                              return text(turn);
                            }
                          }))
              .collect(Collectors.toList());

      for (int i = 0; i < replies.size(); i++) {
        assertThat(replies.get(i).get(5, TimeUnit.SECONDS)).isEqualTo("reply " + i);
      }
    }
  }
}
