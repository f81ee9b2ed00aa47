package dev.providergateway.state;

import io.lettuce.core.ScriptOutputType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Token buckets in Redis, decided by one Lua script: an admission checks every bucket of a call (a
 * key's requests and tokens per minute) and takes from them all or none, in one {@code EVALSHA}
 * (one round trip), atomically, so the limits are exact across replicas however their calls
 * interleave. Post-call usage is charged by the same script in one more command.
 *
 * <p><b>Why not Bucket4j's Redis integration</b> (the in-process buckets are Bucket4j): its Lettuce
 * proxy manager is compare-and-swap only. Each decision reads the bucket ({@code GET}), then writes
 * it back with a compare-and-swap script ({@code EVAL}), retrying on a conflict: two or more round
 * trips per bucket, and a call has up to two buckets, where the gateway allows one round trip per
 * admission. It also cannot take from one bucket only if another holds tokens. This script does the
 * same arithmetic as Bucket4j's greedy refill, so shared and fallback decisions agree.
 *
 * <p><b>The arithmetic.</b> A bucket of {@code L} tokens a minute starts full at {@code L} and
 * gains {@code L / 60,000} tokens a millisecond (Bucket4j's {@code refillGreedy(L, 1 minute)}). To
 * stay in integers, a bucket is kept in units of 1/60,000 token: a millisecond adds {@code L}
 * units. Time is Redis's own ({@code TIME}), so replicas with skewed clocks still agree. A bucket
 * is the hash {@code PREFIXbucket:NAME:L} with fields {@code u} (units, negative after an overdraw)
 * and {@code t} (milliseconds); a missing hash is a full bucket, and every write sets {@code
 * PEXPIRE} to the time the bucket takes to fill up again plus a second, so idle keys disappear. The
 * answer is, per bucket, the milliseconds until it holds its demand (0 when it does); all zeros
 * means allowed.
 */
final class RedisBuckets {
  private RedisBuckets() {}

  private static final String SCRIPT =
      String.join(
          "\n",
          "-- KEYS[i]: bucket i; ARGV[3i-2], ARGV[3i-1], ARGV[3i]: its limit per minute, the tokens",
          "-- demanded, and need (check only) | take (check, then take) | force (take, no check).",
          "local clock = redis.call('TIME')",
          "local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)",
          "local level, at, waits, refused = {}, {}, {}, false",
          "for i = 1, #KEYS do",
          "  local rate = tonumber(ARGV[3 * i - 2])",
          "  local need = tonumber(ARGV[3 * i - 1]) * 60000",
          "  local u, t = rate * 60000, now",
          "  local s = redis.call('HMGET', KEYS[i], 'u', 't')",
          "  if s[1] then",
          "    u, t = tonumber(s[1]), tonumber(s[2])",
          "    if now > t then",
          "      u, t = math.min(rate * 60000, u + (now - t) * rate), now",
          "    end",
          "  end",
          "  level[i], at[i], waits[i] = u, t, 0",
          "  if ARGV[3 * i] ~= 'force' and u < need then",
          "    waits[i] = math.ceil((need - u) / rate)",
          "    refused = true",
          "  end",
          "end",
          "if not refused then",
          "  for i = 1, #KEYS do",
          "    if ARGV[3 * i] ~= 'need' then",
          "      local rate = tonumber(ARGV[3 * i - 2])",
          "      local u = level[i] - tonumber(ARGV[3 * i - 1]) * 60000",
          "      redis.call('HSET', KEYS[i], 'u', u, 't', at[i])",
          "      redis.call('PEXPIRE', KEYS[i], math.ceil((rate * 60000 - u) / rate) + 1000)",
          "    end",
          "  end",
          "end",
          "return waits");

  /** The admission script. */
  static final LuaScript ADMIT = new LuaScript(SCRIPT, ScriptOutputType.MULTI);

  /** Runs {@code demands} (buckets of {@code state}) as one script call. */
  static CompletableFuture<List<LimitBucket.Probe>> admit(
      RedisState state, LocalState fallback, List<LimitBucket.Demand> demands) {
    if (demands.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    String[] keys = new String[demands.size()];
    String[] args = new String[3 * demands.size()];
    List<LimitBucket.Demand> local = new ArrayList<>(demands.size());
    for (int i = 0; i < keys.length; i++) {
      LimitBucket.Demand d = demands.get(i);
      if (!(d.bucket() instanceof Bucket b) || b.state != state) {
        throw new IllegalArgumentException("not a bucket of this state: " + d.bucket());
      }
      keys[i] = b.key;
      args[3 * i] = Long.toString(b.perMinute);
      args[3 * i + 1] = Long.toString(d.tokens());
      args[3 * i + 2] = d.take() ? "take" : "need";
      local.add(new LimitBucket.Demand(b.local, d.tokens(), d.take()));
    }
    return state.call(
        l -> ADMIT.<List<Object>>run(l.text().async(), keys, args).thenApply(RedisBuckets::probes),
        () -> fallback.admit(local));
  }

  private static List<LimitBucket.Probe> probes(List<Object> waits) {
    List<LimitBucket.Probe> probes = new ArrayList<>(waits.size());
    for (Object w : waits) {
      long millis = ((Number) w).longValue();
      probes.add(
          millis <= 0
              ? LimitBucket.Probe.ALLOWED
              : new LimitBucket.Probe(false, TimeUnit.MILLISECONDS.toNanos(millis)));
    }
    return probes;
  }

  /**
   * A bucket in Redis, with a local bucket at {@code limit / state.replicas} for when Redis is
   * down.
   */
  static final class Bucket implements LimitBucket {
    private final RedisState state;
    private final String key;
    private final long perMinute;
    private final LimitBucket local;

    Bucket(RedisState state, String key, long perMinute, LimitBucket local) {
      this.state = state;
      this.key = key;
      this.perMinute = perMinute;
      this.local = local;
    }

    @Override
    public CompletableFuture<Probe> tryConsume(long tokens) {
      return state.admit(List.of(new Demand(this, tokens, true))).thenApply(p -> p.get(0));
    }

    @Override
    public CompletableFuture<Probe> estimate(long tokens) {
      return state.admit(List.of(new Demand(this, tokens, false))).thenApply(p -> p.get(0));
    }

    @Override
    public void charge(long tokens) {
      if (tokens <= 0) {
        return;
      }
      state
          .call(
              l ->
                  ADMIT.<List<Object>>run(
                      l.text().async(),
                      new String[] {key},
                      Long.toString(perMinute),
                      Long.toString(tokens),
                      "force"),
              () -> {
                local.charge(tokens);
                return CompletableFuture.<List<Object>>completedFuture(List.of());
              })
          .exceptionally(failure -> List.of());
    }

    @Override
    public String toString() {
      return key;
    }
  }
}
