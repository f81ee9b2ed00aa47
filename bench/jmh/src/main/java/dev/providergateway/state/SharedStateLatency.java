package dev.providergateway.state;

import dev.providergateway.auth.KeyRateLimits;
import dev.providergateway.config.AuthConfig;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.config.Secret;
import dev.providergateway.config.StateConfig;
import dev.providergateway.usage.SharedBudgetLedger;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * bench/run.sh scenario 8: what sharing the key limits through Redis adds to an admission. Runs
 * an admission as the gateway does it (the key's budget total from the ledger's mirror, then {@link
 * KeyRateLimits#admit} for one key with a request and a token limit, as a real key has: one Lua
 * script, one round trip) open loop at a fixed rate, first on in-process state, then on Redis in
 * the same JVM, and prints one JSON line with the latency percentiles of each (from each
 * admission's scheduled start to its decision: p50, p99, p99.9) and the differences, which the
 * issue caps at 0.3 ms (p50) and 1 ms (p99) at 1,000 admissions a second.
 *
 * <p>Usage: {@code java -cp benchmarks.jar:provider-gateway.jar
 * dev.providergateway.state.SharedStateLatency REDIS_URL RATE SECONDS}
 */
public final class SharedStateLatency {
  private SharedStateLatency() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    int rate = Integer.parseInt(args[1]);
    double seconds = Double.parseDouble(args[2]);
    AuthConfig auth =
        ConfigLoader.parse(
                "auth:\n  keys:\n    - {id: bench, key_sha256: "
                    + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08,"
                    + " requests_per_minute: 100000000, tokens_per_minute: 2000000000}\n",
                Map.of())
            .auth();
    Clock clock = Clock.systemUTC();
    SharedState local = SharedState.local(clock);
    run(KeyRateLimits.of(auth, local, null), local, rate, seconds / 2); // warm-up
    long[] localNanos = run(KeyRateLimits.of(auth, local, null), local, rate, seconds);
    StateConfig config =
        new StateConfig(Secret.of(url), "bench:", 1, false, Duration.ofMillis(5), null);
    try (RedisState redis = RedisState.open(config, clock)) {
      run(KeyRateLimits.of(auth, redis, null), redis, rate, seconds / 2); // warm-up
      long[] redisNanos = run(KeyRateLimits.of(auth, redis, null), redis, rate, seconds);
      System.out.printf(
          "{\"name\":\"s8.state\",\"rate\":%d,\"requests\":%d,\"local_p50_us\":%.1f,"
              + "\"local_p99_us\":%.1f,\"local_p999_us\":%.1f,\"redis_p50_us\":%.1f,"
              + "\"redis_p99_us\":%.1f,\"redis_p999_us\":%.1f,\"added_p50_us\":%.1f,"
              + "\"added_p99_us\":%.1f,\"added_p999_us\":%.1f,\"redis_up\":%b,\"outages\":%d,"
              + "\"loadavg\":\"%s\"}%n",
          rate,
          redisNanos.length,
          pct(localNanos, 50),
          pct(localNanos, 99),
          pct(localNanos, 99.9),
          pct(redisNanos, 50),
          pct(redisNanos, 99),
          pct(redisNanos, 99.9),
          pct(redisNanos, 50) - pct(localNanos, 50),
          pct(redisNanos, 99) - pct(localNanos, 99),
          pct(redisNanos, 99.9) - pct(localNanos, 99.9),
          redis.up(),
          redis.outages(),
          loadavg());
    }
    System.exit(0);
  }

  private static long[] run(KeyRateLimits limits, SharedState state, int rate, double seconds)
      throws InterruptedException {
    SharedBudgetLedger budget = new SharedBudgetLedger(state.counters());
    int n = Math.max(1, (int) (rate * seconds));
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    long[] latency = new long[n];
    AtomicInteger failed = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(n);
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
    for (int i = 0; i < n; i++) {
      long scheduled = start + i * interval;
      long wait;
      while ((wait = scheduled - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      int at = i;
      budget.total("budget:bench:day"); // the budget check: the mirror, never a round trip
      limits
          .admit("bench")
          .whenComplete(
              (ok, e) -> {
                latency[at] = System.nanoTime() - scheduled;
                if (e != null) {
                  failed.incrementAndGet();
                }
                done.countDown();
              });
    }
    if (!done.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("admissions did not finish");
    }
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " admissions refused");
    }
    return latency;
  }

  private static String loadavg() {
    try {
      String[] parts =
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (java.io.IOException | RuntimeException e) {
      return "";
    }
  }

  private static double pct(long[] nanos, double p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000.0;
  }
}
