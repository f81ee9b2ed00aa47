package dev.providergateway.state;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}): one command, one round trip, without sending the
 * body each time. The script is loaded when the connection is made ({@link #load}); a Redis that
 * lost it (restarted, or {@code SCRIPT FLUSH}) answers {@code NOSCRIPT}, and that one call is sent
 * again with its body ({@code EVAL}, which also caches it), so only the first call after a restart
 * takes a second round trip. Immutable.
 */
final class LuaScript {
  private final String body;
  private final String sha;
  private final ScriptOutputType type;

  LuaScript(String body, ScriptOutputType type) {
    this.body = body;
    this.type = type;
    try {
      this.sha =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
  }

  /** Loads the script into {@code redis}'s script cache (at connect, off the hot path). */
  void load(io.lettuce.core.api.sync.RedisCommands<String, String> redis) {
    redis.scriptLoad(body);
  }

  /** Runs the script: {@code EVALSHA}, or {@code EVAL} once after {@code NOSCRIPT}. */
  <T> CompletionStage<T> run(
      RedisAsyncCommands<String, String> redis, String[] keys, String... args) {
    CompletableFuture<T> byDigest = redis.<T>evalsha(sha, type, keys, args).toCompletableFuture();
    return byDigest
        .handle(
            (value, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(value);
              }
              if (Failures.unwrap(failure) instanceof RedisNoScriptException) {
                return redis.<T>eval(body, type, keys, args).toCompletableFuture();
              }
              return CompletableFuture.<T>failedFuture(failure);
            })
        .thenCompose(f -> f);
  }

  String sha() {
    return sha;
  }
}
