package dev.providergateway.config;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The {@code state} section: where the limits, cooldowns and budget counters that replicas share
 * are kept. Without {@code redis_url} everything stays in this process.
 *
 * @param redisUrl {@code redis://[:password@]host[:port][/db]} or {@code rediss://...} (TLS); null
 *     keeps the state in-process. A secret, since it may hold a password.
 * @param keyPrefix prepended to every Redis key and channel, so several gateways can share one
 *     Redis; 1..64 characters of {@code [A-Za-z0-9_.:-]}
 * @param replicas how many replicas share the limits: while Redis is unreachable each replica
 *     enforces {@code limit / replicas} on its own (at least 1 per limit); 1..1000
 * @param failClosed refuse calls (UNAVAILABLE) while Redis is unreachable instead of falling back
 *     to local limits; also refuse to start when Redis is unreachable at startup
 * @param timeout how long one Redis call may take before the gateway treats it as failed and
 *     decides locally; 1 ms..1 s
 * @param source where {@code redisUrl} came from, for messages: {@code state.redis_url} or the
 *     environment variable {@value #REDIS_URL_ENV}
 */
public record StateConfig(
    Secret redisUrl,
    String keyPrefix,
    int replicas,
    boolean failClosed,
    Duration timeout,
    String source) {

  /** The environment variable that sets (and overrides) {@code state.redis_url}. */
  public static final String REDIS_URL_ENV = "PROVIDER_GATEWAY_REDIS_URL";

  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

  public StateConfig {
    source = source == null || source.isEmpty() ? "redis_url" : source;
    if (redisUrl != null) {
      redisUri(redisUrl, source);
    }
    keyPrefix = keyPrefix == null ? "" : keyPrefix.strip();
    if (!PREFIX.matcher(keyPrefix).matches()) {
      throw ConfigException.at(
          "key_prefix",
          Values.quote(keyPrefix)
              + " is not valid, expected 1..64 characters of letters, digits and _.:-"
              + " such as provider-gateway:");
    }
    Checks.range("replicas", replicas, 1, 1000);
    if (timeout == null
        || timeout.compareTo(Duration.ofMillis(1)) < 0
        || timeout.compareTo(Duration.ofSeconds(1)) > 0) {
      throw ConfigException.at(
          "timeout",
          (timeout == null ? "nothing" : timeout) + " is out of range, expected 1ms..1s");
    }
  }

  /** In-process state: no Redis, one replica, 5 ms per Redis call when one is configured. */
  public static StateConfig defaults() {
    return new StateConfig(null, "provider-gateway:", 1, false, Duration.ofMillis(5), null);
  }

  /** The key that set the Redis URL, for messages: {@code state.redis_url} or the variable. */
  public String key() {
    return source.equals("redis_url") ? "state.redis_url" : source;
  }

  /** Whether the state is shared through Redis. */
  public boolean shared() {
    return redisUrl != null;
  }

  /** A copy whose Redis URL is {@code url}, named {@code source} in messages. */
  public StateConfig withRedisUrl(Secret url, String source) {
    return new StateConfig(url, keyPrefix, replicas, failClosed, timeout, source);
  }

  /** The parsed Redis URI. Only call when {@link #shared()}. */
  public RedisURI redisUri() {
    return redisUri(redisUrl, source);
  }

  /** The URL with its password replaced by {@code ***}, for messages and logs. */
  public String redactedUrl() {
    return redisUrl == null ? "" : redact(redisUrl.reveal());
  }

  private static RedisURI redisUri(Secret url, String source) {
    String text = url.reveal();
    String shown = redact(text);
    if (!text.startsWith("redis://") && !text.startsWith("rediss://")) {
      throw ConfigException.at(
          source,
          Values.quote(shown)
              + " is not a Redis URL, expected redis://[:password@]host[:port][/db]"
              + " or rediss://... (TLS)");
    }
    RedisURI uri;
    try {
      uri = RedisURI.create(text);
    } catch (RuntimeException e) {
      throw ConfigException.at(
          source,
          Values.quote(shown)
              + " is not a valid Redis URL, expected redis://[:password@]host[:port][/db]");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw ConfigException.at(
          source, Values.quote(shown) + " names no host, expected redis://host[:port]");
    }
    return uri;
  }

  /** {@code scheme://user:secret@host} becomes {@code scheme://user:***@host}. */
  static String redact(String url) {
    int scheme = url.indexOf("://");
    int at = url.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return url.length() > 200 ? url.substring(0, 200) + "..." : url;
    }
    String userInfo = url.substring(scheme + 3, at);
    int colon = userInfo.indexOf(':');
    String shownUser = colon < 0 ? "" : userInfo.substring(0, colon);
    String rest = url.substring(at);
    String shown = url.substring(0, scheme + 3) + shownUser + ":***" + rest;
    return shown.length() > 200 ? shown.substring(0, 200) + "..." : shown;
  }
}
