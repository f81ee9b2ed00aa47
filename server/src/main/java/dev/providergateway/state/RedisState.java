package dev.providergateway.state;

import dev.providergateway.config.StateConfig;
import dev.providergateway.provider.GatewayUnavailableException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Shared state in Redis, through Lettuce (asynchronous, on its own Netty event loop). An admission
 * is one command: a Lua script that decides all of a call's buckets ({@link RedisBuckets}); budget
 * totals and cooldowns are read from local mirrors. Every call is bounded by {@code state.timeout};
 * a call that fails or times out is decided locally instead (buckets at {@code limit /
 * state.replicas}), or refused with {@link GatewayUnavailableException} under {@code
 * state.fail_closed}.
 *
 * <p>While the store is down no call goes to Redis: a probe thread pings it every {@value
 * #PROBE_MILLIS} ms (and connects, if it never could) and, once it answers, shared decisions resume
 * and the cooldowns are read back. Lettuce reconnects the connections by itself.
 *
 * <p>Thread-safe. Owns the Redis client and its threads; {@link #close()} releases them.
 */
public final class RedisState implements SharedState {
  private static final System.Logger LOG = System.getLogger(RedisState.class.getName());
  static final long PROBE_MILLIS = 250;
  // Lettuce logs every reconnect attempt; the gateway's own warning says it once per outage.
  private static final Logger LETTUCE_LOG = Logger.getLogger("io.lettuce.core");

  /** The live connections; null until the first successful connect. */
  record Links(
      StatefulRedisConnection<String, String> text,
      StatefulRedisPubSubConnection<String, String> pubsub) {
    void close() {
      pubsub.closeAsync();
      text.closeAsync();
    }
  }

  private final StateConfig config;
  private final ClientResources resources;
  private final RedisClient client;
  private final LocalState fallback;
  private final StoreHealth health;
  private final RedisCooldowns cooldowns;
  private final RedisCounters counters;
  private final ScheduledExecutorService probe;
  private volatile Links links;
  private volatile boolean closed;

  private RedisState(StateConfig config, Clock clock) {
    this.config = config;
    LETTUCE_LOG.setLevel(Level.SEVERE);
    this.resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(1)
            .computationThreadPoolSize(1)
            .reconnectDelay(Delay.constant(Duration.ofMillis(PROBE_MILLIS)))
            .build();
    RedisURI uri = config.redisUri();
    this.client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            // While disconnected, commands fail at once (and the gateway decides locally) instead
            // of queueing until the connection is back.
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(
                SocketOptions.builder()
                    .connectTimeout(Duration.ofSeconds(1))
                    .keepAlive(true)
                    .tcpNoDelay(true)
                    .build())
            .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(1)))
            .build());
    this.fallback = new LocalState(clock, config.replicas());
    String where = config.key() + " (" + config.redactedUrl() + ")";
    String otherwise =
        config.failClosed()
            ? "refusing calls with UNAVAILABLE (state.fail_closed)"
            : "falling back to local limits at limit / state.replicas ("
                + config.replicas()
                + ") and local cooldowns";
    this.cooldowns = new RedisCooldowns(this, fallback.cooldowns(), config.keyPrefix(), clock);
    this.counters = new RedisCounters(this, fallback.counters(), config.keyPrefix());
    this.health = new StoreHealth(where, otherwise, this::recovered);
    this.probe =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "gateway-state-probe");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Connects to the store {@code config} names. When it is unreachable the gateway starts in
   * fallback mode with a warning naming the key, and connects once it can; under {@code
   * state.fail_closed} it does not start.
   *
   * @throws IllegalStateException when the store is unreachable and {@code state.fail_closed} is on
   */
  public static RedisState open(StateConfig config, Clock clock) {
    RedisState state = new RedisState(config, clock);
    try {
      state.links = state.connect();
      LOG.log(
          System.Logger.Level.INFO,
          "shared state store: {0} at {1} (key prefix {2}, {3} replica(s))",
          config.key(),
          config.redactedUrl(),
          config.keyPrefix(),
          config.replicas());
    } catch (RuntimeException e) {
      String why = Failures.describe(e);
      if (config.failClosed()) {
        state.close();
        throw new IllegalStateException(
            config.key()
                + ": cannot reach Redis at "
                + config.redactedUrl()
                + " ("
                + why
                + "); state.fail_closed is true, so the gateway does not start without it");
      }
      state.health.down("cannot connect at startup: " + why);
    }
    state.probe.scheduleWithFixedDelay(
        state::probeOnce, PROBE_MILLIS, PROBE_MILLIS, TimeUnit.MILLISECONDS);
    return state;
  }

  private Links connect() {
    StatefulRedisConnection<String, String> text = client.connect();
    StatefulRedisPubSubConnection<String, String> pubsub = null;
    try {
      // Loaded once here; a Redis that loses them (restart) gets the body again on NOSCRIPT.
      RedisBuckets.ADMIT.load(text.sync());
      RedisCounters.ADD.load(text.sync());
      pubsub = client.connectPubSub();
      Links l = new Links(text, pubsub);
      cooldowns.subscribe(l);
      return l;
    } catch (RuntimeException e) {
      text.closeAsync();
      if (pubsub != null) {
        pubsub.closeAsync();
      }
      throw e;
    }
  }

  private void probeOnce() {
    if (closed || health.up()) {
      return;
    }
    try {
      if (links == null) {
        links = connect();
      }
      links.text().async().ping().get(1, TimeUnit.SECONDS);
      health.succeeded();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.log(System.Logger.Level.DEBUG, "state store probe failed: {0}", Failures.describe(e));
    }
  }

  private void recovered() {
    Links l = links;
    if (l != null && !closed) {
      // Off the thread that saw the recovery, which may be Lettuce's own I/O thread.
      probe.execute(() -> cooldowns.resync(l));
    }
  }

  /**
   * Runs {@code remote} against the store within {@code state.timeout}; when the store is down, the
   * call fails or it times out, runs {@code local} instead (or refuses under fail-closed).
   */
  <T> CompletableFuture<T> call(
      Function<Links, CompletionStage<T>> remote, Supplier<CompletableFuture<T>> local) {
    Links l = links;
    if (l == null || !health.up()) {
      return otherwise(local);
    }
    CompletableFuture<T> answer;
    try {
      answer = remote.apply(l).toCompletableFuture();
    } catch (RuntimeException e) {
      health.failed(e);
      return otherwise(local);
    }
    return answer
        .orTimeout(config.timeout().toNanos(), TimeUnit.NANOSECONDS)
        .handle(
            (value, failure) -> {
              if (failure == null) {
                health.succeeded();
                return CompletableFuture.completedFuture(value);
              }
              health.failed(failure);
              return otherwise(local);
            })
        .thenCompose(Function.identity());
  }

  /** Runs {@code remote} if the store is up, ignoring the outcome but for the store's health. */
  void fireAndForget(Function<Links, CompletionStage<?>> remote) {
    Links l = links;
    if (l == null || !health.up()) {
      return;
    }
    try {
      remote
          .apply(l)
          .toCompletableFuture()
          .orTimeout(config.timeout().toNanos(), TimeUnit.NANOSECONDS)
          .whenComplete(
              (v, failure) -> {
                if (failure == null) {
                  health.succeeded();
                } else {
                  health.failed(failure);
                }
              });
    } catch (RuntimeException e) {
      health.failed(e);
    }
  }

  private <T> CompletableFuture<T> otherwise(Supplier<CompletableFuture<T>> local) {
    if (config.failClosed()) {
      return CompletableFuture.failedFuture(unavailable());
    }
    return local.get();
  }

  /** The refusal while the store is down under {@code state.fail_closed}. */
  GatewayUnavailableException unavailable() {
    return new GatewayUnavailableException(
        "the gateway's shared state store (Redis) is unreachable and state.fail_closed is true,"
            + " so calls are refused until it is back; retry shortly",
        Map.of("store", "redis"),
        Duration.ofSeconds(1));
  }

  @Override
  public LimitBucket bucket(String name, long perMinute) {
    return new RedisBuckets.Bucket(
        this,
        config.keyPrefix() + "bucket:" + name + ":" + perMinute,
        perMinute,
        fallback.bucket(name, perMinute));
  }

  @Override
  public CompletableFuture<List<LimitBucket.Probe>> admit(List<LimitBucket.Demand> demands) {
    return RedisBuckets.admit(this, fallback, demands);
  }

  @Override
  public CooldownMap cooldowns() {
    return cooldowns;
  }

  @Override
  public PeriodCounters counters() {
    return counters;
  }

  @Override
  public boolean up() {
    return health.up();
  }

  @Override
  public boolean shared() {
    return true;
  }

  /** How many outages began since startup. */
  public int outages() {
    return health.outages();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    probe.shutdownNow();
    Links l = links;
    if (l != null) {
      l.close();
    }
    client.shutdownAsync(0, 1, TimeUnit.SECONDS);
    resources.shutdown(0, 1, TimeUnit.SECONDS);
  }
}
