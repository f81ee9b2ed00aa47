package dev.providergateway.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.providergateway.config.Secret;
import dev.providergateway.config.StateConfig;
import dev.providergateway.provider.GatewayUnavailableException;
import dev.providergateway.testing.RedisServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared state against a real redis-server: two {@link RedisState}s on one Redis stand for two
 * replicas. Buckets are exact across them, cooldowns reach the other replica without it asking,
 * counters add up in one place; with Redis killed every call is still decided (locally, at limit /
 * replicas), one warning is logged, and shared decisions resume once Redis is back.
 */
class RedisStateTest {
  private final Clock clock = Clock.systemUTC();
  private final List<AutoCloseable> open = new ArrayList<>();
  private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
  private final Logger healthLog = Logger.getLogger(StoreHealth.class.getName());
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private RedisServer redis;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    open.add(redis);
    healthLog.addHandler(capture);
  }

  @AfterEach
  void stop() throws Exception {
    healthLog.removeHandler(capture);
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private StateConfig config(String url, int replicas, boolean failClosed, Duration timeout) {
    return new StateConfig(Secret.of(url), "test:", replicas, failClosed, timeout, null);
  }

  private RedisState replica(int replicas, boolean failClosed) {
    return replica(config(redis.url(), replicas, failClosed, Duration.ofMillis(250)));
  }

  private RedisState replica(StateConfig config) {
    RedisState state = RedisState.open(config, clock);
    open.add(state);
    return state;
  }

  private static int allowedOf(List<LimitBucket> alternating, int calls) {
    int allowed = 0;
    for (int i = 0; i < calls; i++) {
      if (alternating.get(i % alternating.size()).tryConsume(1).join().allowed()) {
        allowed++;
      }
    }
    return allowed;
  }

  @Test
  void bucket_twoReplicas_shareOneBudgetExactly() {
    RedisState a = replica(2, false);
    RedisState b = replica(2, false);

    int allowed = allowedOf(List.of(a.bucket("requests:k", 5), b.bucket("requests:k", 5)), 12);

    assertThat(allowed).isEqualTo(5);
    LimitBucket.Probe refused = b.bucket("requests:k", 5).tryConsume(1).join();
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.nanosToWait()).isPositive();
  }

  @Test
  void bucket_chargeOnOneReplica_seenByTheOther() {
    RedisState a = replica(2, false);
    RedisState b = replica(2, false);
    LimitBucket onA = a.bucket("tokens:k", 100);
    LimitBucket onB = b.bucket("tokens:k", 100);

    assertThat(onB.estimate(1).join().allowed()).isTrue();
    onA.charge(150);

    await(() -> !onB.estimate(1).join().allowed(), "B sees A's charge");
  }

  @Test
  void bucket_otherKeyPrefix_isAnotherGateway() {
    RedisState a = replica(1, false);
    RedisState other =
        replica(
            new StateConfig(
                Secret.of(redis.url()), "other:", 1, false, Duration.ofMillis(250), null));

    assertThat(allowedOf(List.of(a.bucket("requests:k", 3)), 5)).isEqualTo(3);
    assertThat(allowedOf(List.of(other.bucket("requests:k", 3)), 5)).isEqualTo(3);
  }

  @Test
  void counters_addOnBothReplicas_oneTotalThatExpires() {
    RedisState a = replica(2, false);
    RedisState b = replica(2, false);
    Instant endOfDay = Instant.now().plusSeconds(3600);

    assertThat(a.counters().add("budget:k:day", 40, endOfDay).join()).isEqualTo(40);
    assertThat(b.counters().add("budget:k:day", 2, endOfDay).join()).isEqualTo(42);
    assertThat(a.counters().total("budget:k:day").join()).isEqualTo(42);
    assertThat(b.counters().total("never:added").join()).isZero();

    Instant soon = Instant.now().plusMillis(300);
    a.counters().add("budget:k:short", 7, soon).join();
    assertThat(b.counters().total("budget:k:short").join()).isEqualTo(7);
    await(() -> b.counters().total("budget:k:short").join() == 0, "the counter expires");
  }

  @Test
  void cooldown_putOnOneReplica_seenByTheOtherWithoutAsking() {
    RedisState a = replica(2, false);
    RedisState b = replica(2, false);
    CooldownMap.Cooldown cooldown =
        new CooldownMap.Cooldown(Instant.now().plusSeconds(30), false, "HTTP 429");

    a.cooldowns().put("echo\u0000echo-1", cooldown);

    await(
        () -> b.cooldowns().get("echo\u0000echo-1", Instant.now()).isPresent(),
        "B learns A's cooldown");
    assertThat(b.cooldowns().get("echo\u0000echo-1", Instant.now()).orElseThrow().reason())
        .isEqualTo("HTTP 429");
    // A replica started later reads the cooldowns already set.
    RedisState late = replica(2, false);
    assertThat(late.cooldowns().get("echo\u0000echo-1", Instant.now())).isPresent();
  }

  @Test
  void redisKilled_callsDecidedLocallyAtLimitOverReplicas_oneWarning_thenSharedAgain() {
    RedisState a = replica(2, false);
    RedisState b = replica(2, false);
    LimitBucket onA = a.bucket("requests:k", 10);
    assertThat(onA.tryConsume(1).join().allowed()).isTrue();

    redis.kill();

    // Every call is decided; the local bucket holds 10 / 2 replicas.
    int allowed = 0;
    for (int i = 0; i < 20; i++) {
      if (onA.tryConsume(1).orTimeout(5, TimeUnit.SECONDS).join().allowed()) {
        allowed++;
      }
    }
    assertThat(allowed).isBetween(5, 6); // 5 locally, plus at most one that Redis still answered
    assertThat(a.up()).isFalse();
    assertThat(a.counters().add("c", 1, Instant.now().plusSeconds(60)).join()).isEqualTo(1);
    long warned = warnings.stream().filter(r -> r.getMessage().contains("unreachable")).count();
    assertThat(warned).as("one warning per replica for this outage").isLessThanOrEqualTo(2);
    assertThat(warned).isGreaterThanOrEqualTo(1);

    redis.restart();
    await(() -> a.up() && b.up(), "both replicas see Redis again");

    assertThat(allowedOf(List.of(a.bucket("requests:k2", 4), b.bucket("requests:k2", 4)), 8))
        .isEqualTo(4);
    assertThat(a.outages()).isEqualTo(1);
  }

  @Test
  void redisKilled_failClosed_refusesWithClearReason() {
    RedisState a = replica(2, true);
    redis.kill();

    Throwable refused = null;
    for (int i = 0; i < 5 && refused == null; i++) {
      try {
        a.bucket("requests:k", 10).tryConsume(1).orTimeout(5, TimeUnit.SECONDS).join();
      } catch (CompletionException e) {
        refused = e.getCause();
      }
    }
    assertThat(refused)
        .isInstanceOf(GatewayUnavailableException.class)
        .hasMessageContaining("state.fail_closed")
        .hasMessageContaining("unreachable");
  }

  @Test
  void slowRedis_callBoundedByTimeout_decidedLocally() {
    RedisState a = replica(config(redis.url(), 1, false, Duration.ofMillis(50)));
    LimitBucket bucket = a.bucket("requests:slow", 100);
    assertThat(bucket.tryConsume(1).join().allowed()).isTrue();

    redis.pause();
    try {
      long start = System.nanoTime();
      LimitBucket.Probe probe = bucket.tryConsume(1).orTimeout(5, TimeUnit.SECONDS).join();
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(probe.allowed()).isTrue();
      // 50 ms timeout; generous for a loaded machine, far below Lettuce's own 1 s.
      assertThat(tookMillis).isLessThan(900);
    } finally {
      redis.resume();
    }
  }

  @Test
  void unreachableAtStartup_startsInFallback_andConnectsLater() {
    int port = redis.port();
    redis.kill();
    RedisState a = replica(2, false);

    assertThat(a.up()).isFalse();
    assertThat(warnings)
        .anySatisfy(r -> assertThat(r.getParameters()[0].toString()).contains("state.redis_url"));
    assertThat(a.bucket("requests:k", 10).tryConsume(1).join().allowed()).isTrue();

    redis.restart();
    assertThat(redis.port()).isEqualTo(port);
    await(a::up, "connects once Redis is up");
  }

  @Test
  void unreachableAtStartup_failClosed_refusesToStartNamingTheKey() {
    redis.kill();
    StateConfig config =
        config("redis://:hunter2@127.0.0.1:" + redis.port(), 2, true, Duration.ofMillis(100));

    assertThatThrownBy(() -> replica(config))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("state.redis_url")
        .hasMessageContaining("state.fail_closed")
        .hasMessageNotContaining("hunter2");
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
