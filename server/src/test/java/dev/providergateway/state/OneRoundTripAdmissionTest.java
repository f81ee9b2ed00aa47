package dev.providergateway.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.auth.KeyRateLimits;
import dev.providergateway.config.AuthConfig;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.config.Secret;
import dev.providergateway.config.StateConfig;
import dev.providergateway.provider.GatewayOverloadedException;
import dev.providergateway.testing.RedisServer;
import dev.providergateway.usage.SharedBudgetLedger;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared admission against a real redis-server: one command (one round trip) per admission,
 * however many of the key's buckets it decides, counted by Redis itself ({@code MONITOR} lists each
 * command a client sent; the script's own calls are marked {@code lua}); exact across two {@link
 * RedisState}s standing for two replicas, also when 200 admissions race for 50 tokens; all or
 * nothing; and the same arithmetic as the in-process Bucket4j buckets.
 */
class OneRoundTripAdmissionTest {
  // Generous: a late answer is decided locally by design, which is not what these tests measure.
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private final List<AutoCloseable> open = new ArrayList<>();
  private RedisServer redis;
  private RedisCommands<String, String> admin;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    open.add(redis);
    RedisClient client = RedisClient.create(redis.url());
    open.add(client::shutdown);
    StatefulRedisConnection<String, String> connection = client.connect();
    open.add(connection);
    admin = connection.sync();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private RedisState replica() {
    RedisState state =
        RedisState.open(
            new StateConfig(Secret.of(redis.url()), "test:", 2, false, TIMEOUT, null),
            Clock.systemUTC());
    open.add(state);
    return state;
  }

  private static AuthConfig key(int requestsPerMinute, int tokensPerMinute) {
    return ConfigLoader.parse(
            "auth:\n  keys:\n    - {id: k, key_sha256: "
                + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
                + (requestsPerMinute > 0 ? ", requests_per_minute: " + requestsPerMinute : "")
                + (tokensPerMinute > 0 ? ", tokens_per_minute: " + tokensPerMinute : "")
                + "}\n",
            Map.of())
        .auth();
  }

  private static boolean admitted(KeyRateLimits limits) {
    try {
      limits.admit("k").orTimeout(10, TimeUnit.SECONDS).join();
      return true;
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(GatewayOverloadedException.class);
      return false;
    }
  }

  @Test
  void admission_requestsAndTokensLimits_oneCommandPerAdmission_asRedisCountsThem()
      throws Exception {
    RedisState a = replica();
    KeyRateLimits limits = KeyRateLimits.of(key(30, 100_000), a, null);
    SharedBudgetLedger budget = new SharedBudgetLedger(a.counters());
    assertThat(admitted(limits)).isTrue(); // connection warm, script cached

    try (Monitor monitor = new Monitor(redis.port())) {
      int granted = 0;
      for (int i = 0; i < 40; i++) {
        budget.total("budget:k:day"); // the budget check of every admission
        granted += admitted(limits) ? 1 : 0;
      }
      List<String> admissions = monitor.commandsUntilMarker(admin);

      // A budget total is read at most every 100 ms, never once per admission.
      long reads = admissions.stream().filter(c -> c.equals("get")).count();
      assertThat(admissions.stream().filter(c -> c.equals("evalsha")).count())
          .as("one EVALSHA per admission, granted or refused: %s", admissions)
          .isEqualTo(40);
      assertThat(admissions).hasSize(40 + (int) reads);
      assertThat(reads).isLessThanOrEqualTo(1 + monitor.elapsedMillis() / 100);
      assertThat(granted).as("29 left of 30, then refusals").isEqualTo(29);
    }

    try (Monitor monitor = new Monitor(redis.port())) {
      for (int i = 0; i < 10; i++) {
        limits.charge("k", 1_000);
      }
      awaitTrue(() -> monitor.seen("evalsha") >= 10);
      assertThat(monitor.commandsUntilMarker(admin))
          .as("charging a finished call's tokens is one command")
          .containsOnly("evalsha")
          .hasSize(10);
    }
  }

  @Test
  void twoReplicasAlternating_fivePerMinute_exactlyFive_refusalSaysWhenToRetry() {
    KeyRateLimits a = KeyRateLimits.of(key(5, 0), replica(), null);
    KeyRateLimits b = KeyRateLimits.of(key(5, 0), replica(), null);

    int granted = 0;
    for (int i = 0; i < 12; i++) {
      granted += admitted(i % 2 == 0 ? a : b) ? 1 : 0;
    }

    assertThat(granted).isEqualTo(5);
    GatewayOverloadedException refused =
        (GatewayOverloadedException)
            a.admit("k").handle((ok, e) -> e.getCause()).orTimeout(10, TimeUnit.SECONDS).join();
    // 5 a minute refill one every 12 s; the first five went just now.
    assertThat(refused.retryAfter().orElseThrow())
        .isBetween(Duration.ofSeconds(1), Duration.ofSeconds(12));
    assertThat(refused.errorMetadata()).containsEntry("limit", "requests_per_minute");
  }

  @Test
  void tokensPerMinute_chargedOnBothReplicas_exactTotal() {
    RedisState ra = replica();
    RedisState rb = replica();
    KeyRateLimits a = KeyRateLimits.of(key(0, 6_000), ra, null);
    KeyRateLimits b = KeyRateLimits.of(key(0, 6_000), rb, null);

    assertThat(admitted(a)).isTrue();
    a.charge("k", 3_500);
    assertThat(admitted(b)).isTrue();
    b.charge("k", 2_600); // 6,100 of 6,000: over by 100 tokens, 1 s of refill at 100 a second
    awaitTrue(() -> !admitted(a));

    GatewayOverloadedException refused =
        (GatewayOverloadedException)
            b.admit("k").handle((ok, e) -> e.getCause()).orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(refused.errorMetadata()).containsEntry("limit", "tokens_per_minute");
    assertThat(refused.retryAfter().orElseThrow())
        .isBetween(Duration.ofMillis(1), Duration.ofMillis(1_010));
  }

  @Test
  void concurrentAdmissions_200ForALimitOf50_exactly50Granted() {
    KeyRateLimits a = KeyRateLimits.of(key(50, 0), replica(), null);
    KeyRateLimits b = KeyRateLimits.of(key(50, 0), replica(), null);
    List<CompletableFuture<Boolean>> all = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      KeyRateLimits on = t % 2 == 0 ? a : b;
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 50; i++) {
                  all.add(on.admit("k").handle((ok, e) -> e == null));
                }
              });
      thread.start();
      threads.add(thread);
    }
    threads.forEach(
        t -> {
          try {
            t.join();
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
        });

    long granted =
        all.stream().map(f -> f.orTimeout(20, TimeUnit.SECONDS).join()).filter(x -> x).count();

    assertThat(all).hasSize(200);
    assertThat(granted).isEqualTo(50);
  }

  @Test
  void admission_oneBucketShort_takesFromNone() {
    RedisState state = replica();
    LimitBucket requests = state.bucket("requests:k", 3);
    LimitBucket tokens = state.bucket("tokens:k", 10);
    tokens.charge(10);
    awaitTrue(() -> !tokens.estimate(1).join().allowed());

    List<LimitBucket.Probe> probes =
        state
            .admit(
                List.of(
                    new LimitBucket.Demand(tokens, 1, false),
                    new LimitBucket.Demand(requests, 1, true)))
            .join();

    assertThat(probes.get(0).allowed()).isFalse();
    assertThat(probes.get(0).nanosToWait()).isPositive();
    assertThat(probes.get(1).allowed()).as("the request bucket held its token").isTrue();
    assertThat(requests.estimate(3).join().allowed()).as("and none was taken").isTrue();
  }

  @Test
  void sharedAndInProcessBuckets_sameArithmetic() {
    RedisState shared = replica();
    SharedState local = SharedState.local(Clock.systemUTC());
    for (SharedState state : List.of(shared, local)) {
      LimitBucket bucket = state.bucket("requests:same", 6);
      for (int i = 0; i < 6; i++) {
        assertThat(bucket.tryConsume(1).join().allowed()).isTrue();
      }
      LimitBucket.Probe refused = bucket.tryConsume(1).join();
      assertThat(refused.allowed()).isFalse();
      // 6 a minute: one token every 10 s, counted from the takes just made.
      assertThat(Duration.ofNanos(refused.nanosToWait()))
          .as("%s", state.getClass().getSimpleName())
          .isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
      // Charged past zero, the wait grows by the overdraw: 6 more tokens is a minute more.
      bucket.charge(6);
      awaitTrue(() -> bucket.estimate(1).join().nanosToWait() > TimeUnit.SECONDS.toNanos(60));
      assertThat(Duration.ofNanos(bucket.estimate(1).join().nanosToWait()))
          .isBetween(Duration.ofSeconds(60), Duration.ofSeconds(70));
    }
  }

  @Test
  void bucketKeys_carryThePrefixAndExpire() {
    RedisState state = replica();
    assertThat(state.bucket("requests:k", 5).tryConsume(1).join().allowed()).isTrue();

    List<String> keys = admin.keys("*bucket*");
    assertThat(keys).containsExactly("test:bucket:requests:k:5");
    // One token short of full: it is full again in 12 s, and the key goes a second after that.
    assertThat(admin.pttl("test:bucket:requests:k:5")).isBetween(1L, 13_000L);
  }

  @Test
  void scriptFlushed_asAfterARedisRestart_nextAdmissionStillDecidedInRedis() {
    RedisState a = replica();
    KeyRateLimits limits = KeyRateLimits.of(key(2, 0), a, null);
    assertThat(admitted(limits)).isTrue();

    admin.scriptFlush();

    assertThat(admitted(limits)).isTrue();
    assertThat(admitted(limits)).as("still counted in Redis: 2 a minute").isFalse();
    assertThat(a.up()).isTrue();
    assertThat(a.outages()).isZero();
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /**
   * Redis's {@code MONITOR} on a raw connection: every command a client sends, once, in the order
   * Redis ran them; calls made by a script are listed too, marked {@code [0 lua]}, and left out
   * here. Ends at a marker ({@code ECHO}) sent after the commands under test.
   */
  private static final class Monitor implements AutoCloseable {
    private static final String MARKER = "end-of-commands-under-test";
    private final Socket socket;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private final long started = System.nanoTime();
    private volatile boolean ended;

    Monitor(int port) throws Exception {
      socket = new Socket("127.0.0.1", port);
      OutputStream out = socket.getOutputStream();
      out.write("*1\r\n$7\r\nMONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String ok = in.readLine();
      assertThat(ok).isEqualTo("+OK");
      reader =
          new Thread(
              () -> {
                try {
                  String line;
                  while ((line = in.readLine()) != null) {
                    // +1700000000.123456 [0 127.0.0.1:5555] "evalsha" "..." ...
                    if (line.contains("[0 lua]")) {
                      continue;
                    }
                    int quote = line.indexOf('"');
                    String name =
                        line.substring(quote + 1, line.indexOf('"', quote + 1)).toLowerCase();
                    if (name.equals("echo") && line.contains(MARKER)) {
                      ended = true;
                      return;
                    }
                    commands.add(name);
                  }
                } catch (Exception e) {
                  // closed
                }
              });
      reader.setDaemon(true);
      reader.start();
    }

    long seen(String name) {
      return commands.stream().filter(name::equals).count();
    }

    long elapsedMillis() {
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    List<String> commandsUntilMarker(RedisCommands<String, String> admin) {
      admin.echo(MARKER);
      awaitTrue(() -> ended);
      return List.copyOf(commands);
    }

    @Override
    public void close() throws Exception {
      socket.close();
      reader.join(5_000);
    }
  }
}
