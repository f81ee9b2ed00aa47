package dev.providergateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.providergateway.config.BreakerConfig;
import dev.providergateway.provider.CircuitOpenException;
import dev.providergateway.provider.ErrorReason;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.resilience.ProviderBreaker.State;
import dev.providergateway.testing.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProviderBreakerTest {
  private static final Origin ORIGIN = new Origin("p", "m", 503);

  private final MutableClock clock = new MutableClock();
  private final ProviderBreaker breaker = new ProviderBreaker("p", BreakerConfig.defaults(), clock);

  private static ProviderException unavailable() {
    return new ProviderException.Unavailable(ORIGIN, "down", null);
  }

  private static void fail(ProviderBreaker breaker, int times) {
    for (int i = 0; i < times; i++) {
      breaker.acquire("m").failure(unavailable());
    }
  }

  /**
   * Opens the default breaker and lets its 30 s open period pass (Resilience4j half-opens strictly
   * after it).
   */
  private void openAndWait() {
    fail(breaker, 5);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    clock.advance(Duration.ofSeconds(30).plusMillis(1));
  }

  static Stream<Arguments> countedFailures() {
    return Stream.of(
        Arguments.of(new ProviderException.Unavailable(ORIGIN, "5xx", Duration.ofSeconds(2))),
        Arguments.of(new ProviderException.Timeout(ORIGIN, "slow", null)),
        Arguments.of(new ProviderException.Connection(ORIGIN, "reset", new IOException("reset"))),
        Arguments.of(new ProviderException.InvalidResponse(ORIGIN, "bad json", null)),
        Arguments.of(new RuntimeException("provider bug")),
        Arguments.of(new IllegalStateException("provider bug")));
  }

  static Stream<Arguments> uncountedFailures() {
    return Stream.of(
        Arguments.of(new ProviderException.Auth(ORIGIN, "401")),
        Arguments.of(new ProviderException.ModelNotFound(ORIGIN, "404")),
        Arguments.of(new ProviderException.Rejected(ORIGIN, "400")),
        // A rate limit says the upstream is busy, not broken: cooldowns handle it.
        Arguments.of(new ProviderException.RateLimited(ORIGIN, "429", null)),
        Arguments.of(new ProviderException.QuotaExceeded(ORIGIN, "quota")),
        Arguments.of(InvalidRequestException.of("messages", "must not be empty")));
  }

  @Test
  void state_newBreaker_isClosed() {
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThatCode(() -> breaker.acquire("m")).doesNotThrowAnyException();
  }

  @Test
  void failure_oneBelowThreshold_staysClosed() {
    fail(breaker, 4);

    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThatCode(() -> breaker.acquire("m").release()).doesNotThrowAnyException();
  }

  @Test
  void failure_thresholdConsecutive_opens() {
    fail(breaker, 4);

    fail(breaker, 1);

    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void failure_customThreshold_opensAfterExactlyThatMany() {
    ProviderBreaker custom =
        new ProviderBreaker("p", new BreakerConfig(2, Duration.ofSeconds(5), 1, 1), clock);

    fail(custom, 1);
    assertThat(custom.state()).isEqualTo(State.CLOSED);

    fail(custom, 1);
    assertThat(custom.state()).isEqualTo(State.OPEN);
  }

  @Test
  void failure_thresholdOne_opensOnFirstFailure() {
    ProviderBreaker custom =
        new ProviderBreaker("p", new BreakerConfig(1, Duration.ofSeconds(5), 1, 1), clock);

    fail(custom, 1);

    assertThat(custom.state()).isEqualTo(State.OPEN);
  }

  @Test
  void success_betweenFailures_resetsTheCount() {
    fail(breaker, 4);
    breaker.acquire("m").success();
    fail(breaker, 4);

    assertThat(breaker.state()).isEqualTo(State.CLOSED);

    fail(breaker, 1);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void failure_concurrentPermitsOutstanding_countsEachSettledFailure() {
    List<ProviderBreaker.Permit> permits = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      permits.add(breaker.acquire("m"));
    }

    for (int i = 0; i < 4; i++) {
      permits.get(i).failure(unavailable());
    }
    assertThat(breaker.state()).isEqualTo(State.CLOSED);

    permits.get(4).failure(unavailable());
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void acquire_whenOpen_throwsCircuitOpenWithRemainingOpenTime() {
    fail(breaker, 5);
    clock.advance(Duration.ofSeconds(10));

    CircuitOpenException e =
        catchThrowableOfType(CircuitOpenException.class, () -> breaker.acquire("gpt-x"));

    assertThat(e).isNotNull();
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(20));
    assertThat(e.reason()).isEqualTo(ErrorReason.CIRCUIT_OPEN);
    assertThat(e.errorMetadata()).containsEntry("provider", "p").containsEntry("model", "gpt-x");
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void acquire_rightAfterOpening_retryAfterIsTheWholeOpenDuration() {
    fail(breaker, 5);

    CircuitOpenException e =
        catchThrowableOfType(CircuitOpenException.class, () -> breaker.acquire("m"));

    assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
  }

  @Test
  void acquire_justBeforeOpenDurationEnds_isStillRejected() {
    fail(breaker, 5);
    clock.advance(Duration.ofSeconds(29));

    CircuitOpenException e =
        catchThrowableOfType(CircuitOpenException.class, () -> breaker.acquire("m"));

    assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void acquire_afterOpenDuration_halfOpensAndAdmitsExactlyHalfOpenCalls() {
    openAndWait();

    breaker.acquire("m");
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    breaker.acquire("m");
    breaker.acquire("m");

    CircuitOpenException e =
        catchThrowableOfType(CircuitOpenException.class, () -> breaker.acquire("m"));
    assertThat(e).isNotNull();
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
  }

  @Test
  void success_twoTrialSuccesses_close() {
    openAndWait();
    ProviderBreaker.Permit first = breaker.acquire("m");
    ProviderBreaker.Permit second = breaker.acquire("m");
    ProviderBreaker.Permit third = breaker.acquire("m");

    first.success();
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);

    second.success();
    assertThat(breaker.state()).isEqualTo(State.CLOSED);

    third.success();
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThatCode(() -> breaker.acquire("m")).doesNotThrowAnyException();
  }

  @Test
  void success_afterClosingFromHalfOpen_needsAFullThresholdToReopen() {
    openAndWait();
    breaker.acquire("m").success();
    breaker.acquire("m").success();
    assertThat(breaker.state()).isEqualTo(State.CLOSED);

    fail(breaker, 4);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);

    fail(breaker, 1);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void failure_inHalfOpen_reopensForAFullOpenDuration() {
    openAndWait();
    ProviderBreaker.Permit first = breaker.acquire("m");
    ProviderBreaker.Permit second = breaker.acquire("m");

    first.success();
    second.failure(unavailable());

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    CircuitOpenException e =
        catchThrowableOfType(CircuitOpenException.class, () -> breaker.acquire("m"));
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
  }

  @Test
  void failure_firstTrialFails_reopens() {
    openAndWait();

    breaker.acquire("m").failure(new ProviderException.Timeout(ORIGIN, "slow", null));

    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void success_afterReopening_needsTwoFreshTrialSuccesses() {
    openAndWait();
    breaker.acquire("m").success();
    breaker.acquire("m").failure(unavailable());
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    clock.advance(Duration.ofSeconds(30).plusMillis(1));

    breaker.acquire("m").success();

    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    breaker.acquire("m").success();
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void release_inHalfOpen_freesTheTrialSlot() {
    openAndWait();
    ProviderBreaker.Permit first = breaker.acquire("m");
    breaker.acquire("m");
    breaker.acquire("m");

    first.release();

    assertThatCode(() -> breaker.acquire("m")).doesNotThrowAnyException();
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
  }

  @Test
  void release_never_countsAsFailure() {
    for (int i = 0; i < 20; i++) {
      breaker.acquire("m").release();
    }

    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void release_betweenFailures_doesNotResetTheCount() {
    fail(breaker, 4);
    breaker.acquire("m").release();

    fail(breaker, 1);

    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void permit_successThenFailure_ignoresTheFailure() {
    ProviderBreaker custom =
        new ProviderBreaker("p", new BreakerConfig(1, Duration.ofSeconds(5), 1, 1), clock);
    ProviderBreaker.Permit permit = custom.acquire("m");

    permit.success();
    permit.failure(unavailable());

    assertThat(custom.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void permit_releaseThenFailure_ignoresTheFailure() {
    ProviderBreaker custom =
        new ProviderBreaker("p", new BreakerConfig(1, Duration.ofSeconds(5), 1, 1), clock);
    ProviderBreaker.Permit permit = custom.acquire("m");

    permit.release();
    permit.failure(unavailable());

    assertThat(custom.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void permit_failureTwice_countsOnce() {
    ProviderBreaker custom =
        new ProviderBreaker("p", new BreakerConfig(2, Duration.ofSeconds(5), 1, 1), clock);
    ProviderBreaker.Permit permit = custom.acquire("m");

    permit.failure(unavailable());
    permit.failure(unavailable());

    assertThat(custom.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void permit_failureThenSuccess_keepsTheFailure() {
    ProviderBreaker custom =
        new ProviderBreaker("p", new BreakerConfig(1, Duration.ofSeconds(5), 1, 1), clock);
    ProviderBreaker.Permit permit = custom.acquire("m");

    permit.failure(unavailable());
    permit.success();

    assertThat(custom.state()).isEqualTo(State.OPEN);
  }

  @Test
  void permit_successTwiceInHalfOpen_countsOneTrialSuccess() {
    openAndWait();
    ProviderBreaker.Permit permit = breaker.acquire("m");

    permit.success();
    permit.success();

    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
  }

  @Test
  void permit_uncountedFailureThenCountedFailure_staysReleased() {
    ProviderBreaker custom =
        new ProviderBreaker("p", new BreakerConfig(1, Duration.ofSeconds(5), 1, 1), clock);
    ProviderBreaker.Permit permit = custom.acquire("m");

    permit.failure(new ProviderException.Auth(ORIGIN, "401"));
    permit.failure(unavailable());

    assertThat(custom.state()).isEqualTo(State.CLOSED);
  }

  @ParameterizedTest
  @MethodSource("countedFailures")
  void failure_upstreamFailure_counts(RuntimeException failure) {
    ProviderBreaker custom =
        new ProviderBreaker("p", new BreakerConfig(1, Duration.ofSeconds(5), 1, 1), clock);

    custom.acquire("m").failure(failure);

    assertThat(ProviderBreaker.counts(failure)).isTrue();
    assertThat(custom.state()).isEqualTo(State.OPEN);
  }

  @ParameterizedTest
  @MethodSource("uncountedFailures")
  void failure_requestFailure_doesNotCount(RuntimeException failure) {
    ProviderBreaker custom =
        new ProviderBreaker("p", new BreakerConfig(1, Duration.ofSeconds(5), 1, 1), clock);

    for (int i = 0; i < 5; i++) {
      custom.acquire("m").failure(failure);
    }

    assertThat(ProviderBreaker.counts(failure)).isFalse();
    assertThat(custom.state()).isEqualTo(State.CLOSED);
  }

  @ParameterizedTest
  @MethodSource("uncountedFailures")
  void failure_requestFailureInHalfOpen_releasesTheTrialSlot(RuntimeException failure) {
    ProviderBreaker custom =
        new ProviderBreaker("p", new BreakerConfig(1, Duration.ofSeconds(5), 1, 1), clock);
    fail(custom, 1);
    clock.advance(Duration.ofSeconds(5).plusMillis(1));
    ProviderBreaker.Permit trial = custom.acquire("m");
    assertThatThrownBy(() -> custom.acquire("m")).isInstanceOf(CircuitOpenException.class);

    trial.failure(failure);

    assertThat(custom.state()).isEqualTo(State.HALF_OPEN);
    assertThatCode(() -> custom.acquire("m")).doesNotThrowAnyException();
  }

  @Test
  void counts_circuitOpenException_doesNotCount() {
    assertThat(ProviderBreaker.counts(new CircuitOpenException("p", "m", Duration.ofSeconds(1))))
        .isFalse();
  }
}
