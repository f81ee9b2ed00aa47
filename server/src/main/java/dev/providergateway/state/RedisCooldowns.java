package dev.providergateway.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Cooldowns shared through Redis: a cooldown is written to a key that expires with it ({@code
 * PREFIXcooldown:KEY}) and published on {@code PREFIXcooldowns}, which every replica subscribes to;
 * a replica reads only its local copy, so the hot path never waits for Redis. After an outage (and
 * at connect) the keys are read back with SCAN, for cooldowns published meanwhile.
 *
 * <p>Messages from the channel are checked before use: a key of at most {@value #MAX_KEY_CHARS}
 * characters, a reason of at most {@value #MAX_REASON_CHARS}, and an end at most a day ahead.
 */
final class RedisCooldowns implements CooldownMap {
  private static final System.Logger LOG = System.getLogger(RedisCooldowns.class.getName());
  static final int MAX_KEY_CHARS = 1024;
  static final int MAX_REASON_CHARS = 200;
  private static final Duration LONGEST = Duration.ofDays(1);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RedisState state;
  private final LocalState.LocalCooldowns local;
  private final String keyPrefix;
  private final String channel;
  private final Clock clock;

  RedisCooldowns(RedisState state, LocalState.LocalCooldowns local, String prefix, Clock clock) {
    this.state = state;
    this.local = local;
    this.keyPrefix = prefix + "cooldown:";
    this.channel = prefix + "cooldowns";
    this.clock = clock;
  }

  @Override
  public void put(String key, Cooldown cooldown) {
    Instant now = clock.instant();
    local.putIfLater(key, cooldown, now, true);
    if (!cooldown.until().isAfter(now) || key.length() > MAX_KEY_CHARS) {
      return;
    }
    String message = encode(key, cooldown);
    state.fireAndForget(
        l -> {
          l.text()
              .async()
              .set(keyPrefix + key, message, SetArgs.Builder.pxAt(cooldown.until().toEpochMilli()));
          return l.text().async().publish(channel, message);
        });
  }

  @Override
  public Optional<Cooldown> get(String key, Instant now) {
    return local.get(key, now);
  }

  @Override
  public void remove(String key, Cooldown cooldown) {
    local.remove(key, cooldown);
  }

  @Override
  public boolean isEmpty() {
    return local.isEmpty();
  }

  /** Listens on the channel of {@code links} (Lettuce subscribes again after a reconnect). */
  void subscribe(RedisState.Links links) {
    links
        .pubsub()
        .addListener(
            new RedisPubSubAdapter<>() {
              @Override
              public void message(String from, String message) {
                if (channel.equals(from)) {
                  accept(message);
                }
              }
            });
    links.pubsub().sync().subscribe(channel);
    resync(links);
  }

  /** Reads back the cooldowns in Redis (at most {@link #MAX_KEYS}); runs off the hot path. */
  void resync(RedisState.Links links) {
    try {
      RedisCommands<String, String> redis = links.text().sync();
      ScanCursor cursor = ScanCursor.INITIAL;
      ScanArgs match = ScanArgs.Builder.matches(keyPrefix + "*").limit(200);
      int seen = 0;
      do {
        KeyScanCursor<String> page = redis.scan(cursor, match);
        if (!page.getKeys().isEmpty()) {
          for (KeyValue<String, String> kv : redis.mget(page.getKeys().toArray(String[]::new))) {
            if (kv.hasValue()) {
              accept(kv.getValue());
            }
          }
        }
        seen += page.getKeys().size();
        cursor = page;
      } while (!cursor.isFinished() && seen < MAX_KEYS);
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.DEBUG, "reading cooldowns back failed: {0}", Failures.describe(e));
    }
  }

  private void accept(String message) {
    Instant now = clock.instant();
    try {
      JsonNode node = JSON.readTree(message);
      String key = node.path("key").asText("");
      String reason = node.path("reason").asText("");
      long until = node.path("until").asLong(0);
      if (key.isEmpty()
          || key.length() > MAX_KEY_CHARS
          || reason.length() > MAX_REASON_CHARS
          || until <= now.toEpochMilli()
          || until > now.plus(LONGEST).toEpochMilli()) {
        return;
      }
      local.putIfLater(
          key,
          new Cooldown(Instant.ofEpochMilli(until), node.path("quota").asBoolean(false), reason),
          now,
          false);
    } catch (Exception e) {
      LOG.log(System.Logger.Level.DEBUG, "ignored a malformed cooldown message");
    }
  }

  private static String encode(String key, Cooldown cooldown) {
    ObjectNode node = JSON.createObjectNode();
    node.put("key", key);
    node.put("until", cooldown.until().toEpochMilli());
    node.put("quota", cooldown.quota());
    String reason = cooldown.reason();
    node.put(
        "reason",
        reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason);
    return node.toString();
  }
}
