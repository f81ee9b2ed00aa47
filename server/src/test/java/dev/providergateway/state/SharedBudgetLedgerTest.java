package dev.providergateway.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.config.Secret;
import dev.providergateway.config.StateConfig;
import dev.providergateway.testing.MutableClock;
import dev.providergateway.testing.RedisServer;
import dev.providergateway.usage.SharedBudgetLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Budgets shared by replicas: two ledgers over two connections to one real redis-server add to the
 * same counter, and each sees the other's spend without ever blocking on Redis.
 */
class SharedBudgetLedgerTest {
  private final MutableClock clock = MutableClock.followingRealTime();
  private final List<AutoCloseable> open = new ArrayList<>();
  private RedisServer redis;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    open.add(redis);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private SharedBudgetLedger replica() {
    RedisState state =
        RedisState.open(
            new StateConfig(
                Secret.of(redis.url()), "test:", 2, false, Duration.ofMillis(250), null),
            clock);
    open.add(state);
    return new SharedBudgetLedger(state.counters());
  }

  @Test
  void add_onTwoReplicas_bothSeeTheSharedTotal() throws Exception {
    SharedBudgetLedger a = replica();
    SharedBudgetLedger b = replica();
    Instant end = Instant.now().plus(Duration.ofHours(1));

    assertThat(a.add("budget:team-a:day:2026-12-03", 300, end)).isEqualTo(300);
    assertThat(b.add("budget:team-a:day:2026-12-03", 200, end))
        .as("b's own addition is counted at once, before Redis answers")
        .isGreaterThanOrEqualTo(200);

    assertThat(eventually(() -> a.total("budget:team-a:day:2026-12-03"), 500)).isEqualTo(500);
    assertThat(eventually(() -> b.total("budget:team-a:day:2026-12-03"), 500)).isEqualTo(500);
    assertThat(a.total("budget:team-b:day:2026-12-03")).isZero();
  }

  @Test
  void total_redisStopped_keepsAnsweringFromWhatItKnows() throws Exception {
    SharedBudgetLedger a = replica();
    Instant end = Instant.now().plus(Duration.ofHours(1));
    a.add("budget:k:day:d", 100, end);
    assertThat(eventually(() -> a.total("budget:k:day:d"), 100)).isEqualTo(100);

    redis.close();

    long started = System.nanoTime();
    assertThat(a.total("budget:k:day:d")).isEqualTo(100);
    assertThat(a.add("budget:k:day:d", 5, end)).isEqualTo(105);
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .as("a budget check never waits for Redis")
        .isLessThan(Duration.ofMillis(200));
  }

  private static long eventually(LongSupplier read, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    long value = read.getAsLong();
    while (value != expected && System.nanoTime() < deadline) {
      Thread.sleep(10);
      value = read.getAsLong();
    }
    return value;
  }
}
