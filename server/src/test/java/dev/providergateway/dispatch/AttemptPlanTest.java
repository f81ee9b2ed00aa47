package dev.providergateway.dispatch;

import static dev.providergateway.dispatch.CallFixture.unavailable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.providergateway.provider.CircuitOpenException;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.resilience.Cooldowns;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link AttemptPlan} on a fixed clock: which attempt comes next, and when. */
class AttemptPlanTest {
  private final CallFixture fixture = new CallFixture();
  private final Target primary = fixture.target("primary", "m1");
  private final Target backup = fixture.target("backup", "m2");

  @Test
  void next_retryableFailure_retriesSameTargetWithDoublingBackoff() {
    AttemptPlan plan = fixture.plan(CallFixture.noDeadline(), primary, backup);
    admitted(plan);

    assertThat(plan.next(unavailable(primary, null))).contains(Duration.ofSeconds(1));
    admitted(plan);
    assertThat(plan.next(unavailable(primary, null))).contains(Duration.ofSeconds(2));
    assertThat(plan.current().provider()).isEqualTo(primary.provider());
    assertThat(plan.current().model()).isEqualTo(primary.model());
    assertThat(plan.attemptOnTarget()).isEqualTo(3);
  }

  @Test
  void next_retryAfterFromUpstream_winsOverBackoff() {
    AttemptPlan plan = fixture.plan(CallFixture.noDeadline(), primary);
    admitted(plan);

    assertThat(plan.next(unavailable(primary, Duration.ofSeconds(2))))
        .contains(Duration.ofSeconds(2));
  }

  @Test
  void next_retryAfterOverMaxWait_givesUpWithTheHint() {
    AttemptPlan plan = fixture.plan(CallFixture.noDeadline(), primary);
    admitted(plan);
    ProviderException hinted = unavailable(primary, Duration.ofMinutes(5));

    assertThat(plan.next(hinted)).isEmpty();
    assertThat(plan.finalFailure(hinted)).isSameAs(hinted);
  }

  @Test
  void next_retriesSpent_failsOverToNextTargetAtOnce() {
    AttemptPlan plan = fixture.plan(CallFixture.noDeadline(), primary, backup);
    for (int i = 0; i < 3; i++) {
      admitted(plan);
      assertThat(plan.next(unavailable(primary, null))).isPresent();
    }

    assertThat(plan.current()).isEqualTo(backup);
    assertThat(plan.attemptOnTarget()).isEqualTo(1);
    assertThat(plan.log())
        .isEqualTo(
            "primary/m1 PROVIDER_UNAVAILABLE; primary/m1 PROVIDER_UNAVAILABLE; "
                + "primary/m1 PROVIDER_UNAVAILABLE");
  }

  @Test
  void next_lastTargetSpent_givesUp() {
    AttemptPlan plan = fixture.plan(CallFixture.noDeadline(), primary);
    for (int i = 0; i < 2; i++) {
      admitted(plan);
      plan.next(unavailable(primary, null));
    }
    admitted(plan);

    assertThat(plan.next(unavailable(primary, null))).isEmpty();
    assertThat(plan.attempts()).isEqualTo(3);
  }

  @Test
  void next_nonRetryableFailure_givesUpWithoutFailover() {
    AttemptPlan plan = fixture.plan(CallFixture.noDeadline(), primary, backup);
    admitted(plan);

    assertThat(plan.next(new ProviderException.Auth(CallFixture.origin(primary, 401), "bad key")))
        .isEmpty();
  }

  @Test
  void next_retryBudgetSpent_givesUpAndSaysSo() {
    CallFixture tight = new CallFixture(CallFixture.config().retryBudget(0, 0));
    Target only = tight.target("p", "m");
    AttemptPlan plan = tight.plan(CallFixture.noDeadline(), only);
    admitted(plan);

    assertThat(plan.next(unavailable(only, null))).isEmpty();
    assertThat(plan.log()).endsWith("; retry budget spent");
  }

  @Test
  void next_deadlineTooCloseForTheDelay_givesUp() {
    AttemptPlan plan = fixture.plan(fixture.deadlineIn(Duration.ofMillis(1500)), primary);
    admitted(plan);
    assertThat(plan.next(unavailable(primary, null))).contains(Duration.ofSeconds(1));
    fixture.clock.advance(Duration.ofSeconds(1));
    admitted(plan);

    assertThat(plan.next(unavailable(primary, null))).as("2 s backoff, 0.5 s left").isEmpty();
  }

  @Test
  void next_noCallerDeadline_usesTheDefaultDeadlineOnTheInjectedClock() {
    CallFixture shortDefault = new CallFixture(CallFixture.defaultDeadline(Duration.ofSeconds(3)));
    Target only = shortDefault.target("p", "m");
    AttemptPlan plan = shortDefault.plan(CallFixture.noDeadline(), only);

    assertThat(plan.deadline()).isEqualTo(shortDefault.clock.instant().plusSeconds(3));
    admitted(plan);
    shortDefault.clock.advance(Duration.ofMillis(2500));
    assertThat(plan.next(unavailable(only, null))).isEmpty();
  }

  @Test
  void admit_coolingDownTarget_refusesLocallyAndFailsOverWithoutSpendingBudget() {
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
    AttemptPlan plan = tight.plan(CallFixture.noDeadline(), limited, other);

    Throwable refused = catchRuntime(plan);

    assertThat(refused).isInstanceOf(ProviderException.RateLimited.class);
    assertThat(plan.next(refused)).as("failover with an empty budget").contains(Duration.ZERO);
    assertThat(plan.current()).isEqualTo(other);
  }

  @Test
  void admit_coolingDownTarget_isNotRetriedInPlace() {
    fixture
        .resilience
        .cooldowns()
        .coolDown(
            primary.provider().deployments().get(0).modelKey("m1"),
            fixture.resilience.clock().instant().plus(Duration.ofSeconds(20)),
            Cooldowns.Reason.RATE_LIMIT);
    AttemptPlan plan = fixture.plan(CallFixture.noDeadline(), primary);

    Throwable refused = catchRuntime(plan);

    assertThat(plan.next(refused)).isEmpty();
  }

  @Test
  void admit_openCircuit_throwsAndGivesTheProviderSlotBack() {
    Target primary = fixture.strictTarget("primary", "m1");
    primary.provider().breaker().acquire("m1").failure(unavailable(primary, null));
    AttemptPlan plan = fixture.plan(CallFixture.noDeadline(), primary, backup);

    assertThatThrownBy(plan::admit).isInstanceOf(CircuitOpenException.class);
    // The per-provider limit is 1: a slot kept by the refusal would refuse this.
    fixture.resilience.bulkheads().acquireProvider("primary").release();
    assertThat(plan.next(new CircuitOpenException("primary", "m1", Duration.ofSeconds(30))))
        .contains(Duration.ZERO);
  }

  /** Admits an attempt and gives its slot and permit back, as the runner does when it ends. */
  private static void admitted(AttemptPlan plan) {
    AttemptPlan.Admission admission = plan.admit();
    admission.slot().release();
    admission.permit().release();
  }

  private static Throwable catchRuntime(AttemptPlan plan) {
    try {
      admitted(plan);
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }
}
