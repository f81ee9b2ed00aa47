package dev.providergateway.state;

import io.lettuce.core.ScriptOutputType;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Period counters in Redis: one script adds and sets the expiry in a single round trip ({@code
 * INCRBY} then {@code PEXPIREAT}); keys are {@code PREFIXcounter:KEY}.
 */
final class RedisCounters implements PeriodCounters {
  static final LuaScript ADD =
      new LuaScript(
          "local v = redis.call('INCRBY', KEYS[1], ARGV[1])\n"
              + "redis.call('PEXPIREAT', KEYS[1], ARGV[2])\n"
              + "return v",
          ScriptOutputType.INTEGER);

  private final RedisState state;
  private final LocalState.LocalCounters local;
  private final String keyPrefix;

  RedisCounters(RedisState state, LocalState.LocalCounters local, String prefix) {
    this.state = state;
    this.local = local;
    this.keyPrefix = prefix + "counter:";
  }

  @Override
  public CompletableFuture<Long> add(String key, long amount, Instant expiresAt) {
    return state.call(
        l ->
            ADD.<Long>run(
                l.text().async(),
                new String[] {keyPrefix + key},
                Long.toString(amount),
                Long.toString(expiresAt.toEpochMilli())),
        () -> local.add(key, amount, expiresAt));
  }

  @Override
  public CompletableFuture<Long> total(String key) {
    return state.call(
        l ->
            l.text()
                .async()
                .get(keyPrefix + key)
                .thenApply(v -> v == null ? 0L : Long.parseLong(v)),
        () -> local.total(key));
  }
}
