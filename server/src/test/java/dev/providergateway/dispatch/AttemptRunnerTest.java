package dev.providergateway.dispatch;

import static dev.providergateway.dispatch.CallFixture.fake;
import static dev.providergateway.dispatch.CallFixture.noDeadline;
import static dev.providergateway.dispatch.CallFixture.response;
import static dev.providergateway.dispatch.CallFixture.unavailable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.StreamChunk;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.resilience.Cooldowns;
import dev.providergateway.resilience.ProviderBreaker.State;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * {@link AttemptRunner} with its unary and streaming strategies, on a fixed clock and a manual
 * scheduler: retries, failover, budget, deadlines, cooldowns, cancellation, and how each attempt's
 * breaker permit is settled.
 */
class AttemptRunnerTest {
  private final CallFixture fixture = new CallFixture();
  private final Target primary = fixture.target("primary", "m1");
  private final Target backup = fixture.target("backup", "m2");

  @Test
  void chat_retryableFailure_retriesOnTheSchedulerAfterBackoff() {
    var result = fixture.chat(noDeadline(), primary);
    fake(primary).lastChat().completeExceptionally(unavailable(primary, null));

    fixture.scheduler.advance(Duration.ofMillis(999));
    assertThat(fake(primary).calls()).isEqualTo(1);
    fixture.scheduler.advance(Duration.ofMillis(1));
    assertThat(fake(primary).calls()).isEqualTo(2);
    fake(primary).lastChat().complete(response("hello"));

    assertThat(result.join().response().metadata())
        .containsEntry("attempts", "2")
        .containsEntry("attempt_log", "primary/m1 PROVIDER_UNAVAILABLE; primary/m1 ok");
    assertThat(fixture.metrics.retries).containsExactly(Duration.ofSeconds(1));
  }

  @Test
  void chat_retryAfterFromUpstream_winsOverBackoff() {
    fixture.chat(noDeadline(), primary);
    fake(primary).lastChat().completeExceptionally(unavailable(primary, Duration.ofSeconds(2)));

    // A 503 with a hint is a rate limit: the only deployment cools down for it, and with nothing
    // else to go to, the call sleeps it out (within rate_limit_max_wait, 3 s by default).
    assertThat(fixture.scheduler.nextDelay()).isEqualTo(Duration.ofSeconds(2));
    fixture.scheduler.advance(Duration.ofSeconds(2));
    assertThat(fake(primary).calls()).isEqualTo(2);
  }

  @Test
  void chat_retryAfterOverMaxWait_failsAtOnceWithTheHint() {
    var result = fixture.chat(noDeadline(), primary);
    fake(primary).lastChat().completeExceptionally(unavailable(primary, Duration.ofSeconds(5)));

    assertThat(fixture.scheduler.nextDelay()).isNull();
    assertThat(result).isCompletedExceptionally();
    assertThat(fake(primary).calls()).isEqualTo(1);
  }

  @Test
  void chat_retriesSpent_failsOverToTheNextTargetWithItsModel() {
    var result = fixture.chat(noDeadline(), primary, backup);
    for (int i = 0; i < 3; i++) {
      fake(primary).lastChat().completeExceptionally(unavailable(primary, null));
      fixture.scheduler.advance(Duration.ofSeconds(8));
    }

    assertThat(fake(primary).calls()).isEqualTo(3);
    assertThat(fake(backup).models).containsExactly("m2");
    fake(backup).lastChat().complete(response("from backup"));
    assertThat(result.join().provider()).isEqualTo("backup");
    assertThat(fixture.metrics.fallbacks).containsExactly("primary->backup");
  }

  @Test
  void chat_retryBudgetSpent_failsWithTheUpstreamError() {
    CallFixture tight = new CallFixture(CallFixture.config().retryBudget(0, 0));
    Target only = tight.target("p", "m");
    var result = tight.chat(noDeadline(), only);
    ProviderException failure = unavailable(only, null);

    fake(only).lastChat().completeExceptionally(failure);

    assertThat(result).isCompletedExceptionally();
    assertThat(causeOf(result)).isSameAs(failure);
    assertThat(tight.scheduler.pending()).isZero();
  }

  @Test
  void chat_deadlineTooCloseForTheBackoff_failsAtOnce() {
    var result = fixture.chat(fixture.deadlineIn(Duration.ofMillis(500)), primary);

    fake(primary).lastChat().completeExceptionally(unavailable(primary, null));

    assertThat(causeOf(result)).isInstanceOf(ProviderException.Unavailable.class);
    assertThat(fake(primary).calls()).isEqualTo(1);
    assertThat(fixture.scheduler.pending()).isZero();
  }

  @Test
  void chat_targetCoolingDown_failsOverWithoutReachingItOrSpendingBudget() {
    CallFixture tight = new CallFixture(CallFixture.config().retryBudget(0, 0));
    Target limited = tight.target("limited", "m");
    Target other = tight.target("other", "m");
    tight
        .resilience
        .cooldowns()
        .coolDown(
            limited.provider().deployments().get(0).modelKey("m"),
            tight.resilience.clock().instant().plus(Duration.ofSeconds(20)),
            Cooldowns.Reason.RATE_LIMIT);

    var result = tight.chat(noDeadline(), limited, other);
    fake(other).lastChat().complete(response("ok"));

    assertThat(fake(limited).calls()).isZero();
    assertThat(result.join().provider()).isEqualTo("other");
  }

  @Test
  void chat_success_settlesThePermitAsSuccessAndGivesSlotsBack() {
    Target primary = fixture.strictTarget("primary", "m1");
    fixture.halfOpen(primary);
    var result = fixture.chat(noDeadline(), primary);

    fake(primary).lastChat().complete(response("hi"));

    assertThat(result.join().response().metadata()).doesNotContainKey("attempts");
    assertThat(primary.provider().breaker().state()).isEqualTo(State.CLOSED);
    assertThat(fixture.callSlotsReleased).hasValue(1);
    assertThatCode(() -> fixture.resilience.bulkheads().acquireProvider("primary"))
        .doesNotThrowAnyException();
    assertThat(fixture.metrics.ends).hasSize(1);
  }

  @Test
  void chat_countedFailure_settlesThePermitAsFailure() {
    Target primary = fixture.strictTarget("primary", "m1");
    fixture.halfOpen(primary);
    fixture.chat(noDeadline(), primary);

    fake(primary)
        .lastChat()
        .completeExceptionally(new ProviderException.Auth(CallFixture.origin(primary, 500), "x"));
    assertThat(primary.provider().breaker().state())
        .as("auth does not count")
        .isEqualTo(State.HALF_OPEN);

    CallFixture other = new CallFixture();
    Target t = other.strictTarget("p", "m");
    other.halfOpen(t);
    other.chat(noDeadline(), t);
    fake(t).lastChat().completeExceptionally(unavailable(t, null));
    assertThat(t.provider().breaker().state()).isEqualTo(State.OPEN);
  }

  @Test
  void chat_cancelled_cancelsTheAttemptAndReleasesThePermit() {
    Target primary = fixture.strictTarget("primary", "m1");
    fixture.halfOpen(primary);
    var result = fixture.chat(noDeadline(), primary);
    CompletableFuture<?> upstream = fake(primary).lastChat();

    result.cancel(true);

    assertThat(upstream).isCancelled();
    assertThat(primary.provider().breaker().state()).isEqualTo(State.HALF_OPEN);
    assertThatCode(() -> primary.provider().breaker().acquire("m1")).doesNotThrowAnyException();
    assertThat(fixture.metrics.ends).singleElement().isInstanceOf(CancellationException.class);
    assertThat(fixture.callSlotsReleased).hasValue(1);
  }

  @Test
  void chat_cancelledDuringBackoff_cancelsThePendingRetry() {
    var result = fixture.chat(noDeadline(), primary);
    fake(primary).lastChat().completeExceptionally(unavailable(primary, null));
    assertThat(fixture.scheduler.pending()).as("the retry and the default deadline").isEqualTo(2);

    result.cancel(true);
    fixture.scheduler.advance(Duration.ofMinutes(1));

    assertThat(fixture.scheduler.pending()).isZero();
    assertThat(fake(primary).calls()).isEqualTo(1);
  }

  @Test
  void chat_defaultDeadlinePassed_failsWithTimeoutAndCountsAgainstTheBreaker() {
    CallFixture shortDefault = new CallFixture(CallFixture.defaultDeadline(Duration.ofSeconds(5)));
    Target t = shortDefault.strictTarget("p", "m");
    var result = shortDefault.chat(noDeadline(), t);

    shortDefault.scheduler.advance(Duration.ofSeconds(5));

    assertThat(causeOf(result)).isInstanceOf(ProviderException.Timeout.class);
    assertThat(fake(t).lastChat()).isCancelled();
    assertThat(t.provider().breaker().state()).isEqualTo(State.OPEN);
    assertThat(shortDefault.scheduler.pending()).isZero();
  }

  @Test
  void chat_answeredBeforeTheDefaultDeadline_cancelsItsTimer() {
    fixture.chat(noDeadline(), primary);

    fake(primary).lastChat().complete(response("hi"));

    assertThat(fixture.scheduler.pending()).isZero();
  }

  @Test
  void stream_failureBeforeOutput_retriesAndTheFinalChunkCarriesTheAttempts() {
    var caller = fixture.stream(noDeadline(), 10, primary);
    fake(primary).lastStream().fail(unavailable(primary, null));
    fixture.scheduler.advance(Duration.ofSeconds(1));

    fake(primary).lastStream().emit(new StreamEvent.ContentDelta("hello"));
    fake(primary).lastStream().complete();

    assertThat(caller.chunks).extracting(StreamChunk::content).containsExactly("hello", "");
    assertThat(caller.last().metadata())
        .containsEntry("attempts", "2")
        .containsEntry("attempt_log", "primary/m1 PROVIDER_UNAVAILABLE; primary/m1 ok");
    assertThat(caller.completed).isTrue();
    assertThat(fixture.callSlotsReleased).hasValue(1);
  }

  @Test
  void stream_failureAfterOutput_endsWithTheErrorWithoutRetryAndReleasesThePermit() {
    Target primary = fixture.strictTarget("primary", "m1");
    fixture.halfOpen(primary);
    var caller = fixture.stream(noDeadline(), 10, primary, backup);
    ProviderException failure =
        new ProviderException.Connection(CallFixture.origin(primary, 0), "reset", null);
    fake(primary).lastStream().emit(new StreamEvent.ContentDelta("partial"));

    fake(primary).lastStream().fail(failure);

    assertThat(caller.error).isSameAs(failure);
    assertThat(caller.chunks).extracting(StreamChunk::content).containsExactly("partial");
    assertThat(fixture.scheduler.pending()).isZero();
    assertThat(fake(backup).calls()).isZero();
    assertThat(primary.provider().breaker().state()).isEqualTo(State.HALF_OPEN);
    assertThatCode(() -> primary.provider().breaker().acquire("m1")).doesNotThrowAnyException();
  }

  @Test
  void stream_afterFirstOutput_theCallersRequestIsNoLongerHeld() throws Exception {
    ChatRequest history =
        ChatRequest.builder("requested")
            .messages(List.of(Message.of(Role.USER, "an agent's long history ".repeat(4_000))))
            .build();
    WeakReference<ChatRequest> held = new WeakReference<>(history);
    var caller = fixture.stream(noDeadline(), 10, history, primary);
    history = null;

    // Before any output a retry may replay it: kept.
    assertThat(collected(held)).isFalse();

    fake(primary).lastStream().emit(new StreamEvent.ContentDelta("first"));

    // Output reached the caller: no attempt follows, so a held stream keeps no prompt.
    assertThat(collected(held)).isTrue();
    assertThat(caller.chunks).extracting(StreamChunk::content).containsExactly("first");
    assertThat(caller.completed).isFalse();
    fake(primary).lastStream().emit(new StreamEvent.Finish(StopReason.STOP, "stop"));
    fake(primary).lastStream().complete();
    assertThat(caller.completed).isTrue();
  }

  /** Whether {@code ref}'s referent was collected within a few full collections. */
  private static boolean collected(WeakReference<?> ref) throws InterruptedException {
    for (int i = 0; i < 10 && ref.get() != null; i++) {
      System.gc();
      Thread.sleep(20);
    }
    return ref.get() == null;
  }

  @Test
  void stream_cleanEnd_settlesThePermitAsSuccess() {
    Target primary = fixture.strictTarget("primary", "m1");
    fixture.halfOpen(primary);
    var caller = fixture.stream(noDeadline(), 10, primary);

    fake(primary).lastStream().complete();

    assertThat(caller.completed).isTrue();
    assertThat(primary.provider().breaker().state()).isEqualTo(State.CLOSED);
    assertThat(fixture.metrics.ends).singleElement().isInstanceOf(CallFixture.Ok.class);
  }

  @Test
  void stream_countedFailureBeforeOutput_settlesThePermitAsFailure() {
    CallFixture single = new CallFixture(CallFixture.noRetries());
    Target t = single.strictTarget("p", "m");
    single.halfOpen(t);
    var caller = single.stream(noDeadline(), 10, t);

    fake(t).lastStream().fail(unavailable(t, null));

    assertThat(caller.error).isInstanceOf(ProviderException.Unavailable.class);
    assertThat(t.provider().breaker().state()).isEqualTo(State.OPEN);
  }

  @Test
  void stream_cancelAfterOutput_settlesThePermitAsSuccessAndCancelsUpstream() {
    Target primary = fixture.strictTarget("primary", "m1");
    fixture.halfOpen(primary);
    var caller = fixture.stream(noDeadline(), 10, primary);
    fake(primary).lastStream().emit(new StreamEvent.ContentDelta("a"));

    caller.subscription.cancel();

    assertThat(fake(primary).lastStream().isCancelled()).isTrue();
    assertThat(primary.provider().breaker().state()).isEqualTo(State.CLOSED);
    assertThat(fixture.callSlotsReleased).hasValue(1);
  }

  @Test
  void stream_cancelBeforeOutput_releasesThePermit() {
    Target primary = fixture.strictTarget("primary", "m1");
    fixture.halfOpen(primary);
    var caller = fixture.stream(noDeadline(), 10, primary);

    caller.subscription.cancel();

    assertThat(fake(primary).lastStream().isCancelled()).isTrue();
    assertThat(primary.provider().breaker().state()).isEqualTo(State.HALF_OPEN);
    assertThatCode(() -> primary.provider().breaker().acquire("m1")).doesNotThrowAnyException();
  }

  @Test
  void stream_cancelDuringBackoff_cancelsThePendingRetry() {
    var caller = fixture.stream(noDeadline(), 10, primary);
    fake(primary).lastStream().fail(unavailable(primary, null));

    caller.subscription.cancel();
    fixture.scheduler.advance(Duration.ofMinutes(1));

    assertThat(fake(primary).calls()).isEqualTo(1);
    assertThat(fixture.scheduler.pending()).isZero();
  }

  @Test
  void stream_defaultDeadlineBeforeOutput_failsWithTimeoutAndCountsAgainstTheBreaker() {
    CallFixture shortDefault = new CallFixture(CallFixture.defaultDeadline(Duration.ofSeconds(5)));
    Target t = shortDefault.strictTarget("p", "m");
    var caller = shortDefault.stream(noDeadline(), 10, t);

    shortDefault.scheduler.advance(Duration.ofSeconds(5));

    assertThat(caller.error).isInstanceOf(ProviderException.Timeout.class);
    assertThat(fake(t).lastStream().isCancelled()).isTrue();
    assertThat(t.provider().breaker().state()).isEqualTo(State.OPEN);
  }

  @Test
  void stream_watchdogOnTheInjectedClock_endsAStalledStream() {
    CallFixture watched =
        new CallFixture(
            CallFixture.noRetries()
                .timeouts(Duration.ofMinutes(10), Duration.ofSeconds(2), Duration.ofSeconds(3)));
    Target t = watched.target("p", "m");
    StreamAssembler.Watchdog watchdog =
        new StreamAssembler.Watchdog(
            watched.scheduler,
            watched.resilience.clock(),
            Duration.ofSeconds(2),
            Duration.ofSeconds(3));
    StreamStrategy streaming =
        new StreamStrategy(
            noDeadline(),
            (target, r, c, consumption) ->
                StreamAssembler.assemble(
                    target.provider().provider().stream(r, c),
                    "p",
                    "m",
                    new StreamAssembler.Options(null, watchdog)));
    var runner =
        new AttemptRunner<>(
            watched.plan(noDeadline(), t),
            CallFixture.request(),
            watched.metrics,
            streaming,
            () -> {});
    var caller = new CallFixture.Caller();
    streaming.publisher(runner).subscribe(caller);
    caller.subscription.request(10);

    watched.scheduler.advance(Duration.ofMillis(1999));
    assertThat(caller.error).isNull();
    watched.scheduler.advance(Duration.ofMillis(1));

    assertThat(caller.error).isInstanceOf(ProviderException.Timeout.class);
    assertThat(fake(t).lastStream().isCancelled()).isTrue();
  }

  @Test
  void stream_everyAttempt_isReportedAndEndedOnce() {
    var caller = fixture.stream(noDeadline(), 10, primary, backup);
    for (int i = 0; i < 3; i++) {
      fake(primary).lastStream().fail(unavailable(primary, null));
      fixture.scheduler.advance(Duration.ofSeconds(8));
    }
    fake(backup).lastStream().emit(new StreamEvent.ContentDelta("x"));
    fake(backup).lastStream().complete();

    assertThat(caller.completed).isTrue();
    assertThat(fixture.metrics.attempts).hasValue(4);
    assertThat(fixture.metrics.ends).hasSize(4);
    assertThat(fixture.metrics.firstTokens).hasValue(1);
  }

  private static Throwable causeOf(CompletableFuture<?> result) {
    try {
      result.join();
      return null;
    } catch (CompletionException e) {
      return e.getCause();
    }
  }
}
