package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

/**
 * A prompt-cache breakpoint the caller put on a message or a tool: the provider caches the prompt
 * prefix up to and including it (Anthropic's {@code cache_control}). Providers without breakpoints
 * ignore it.
 *
 * @param ttl how long the cached prefix lives
 */
public record CacheControl(Ttl ttl) {

  /** The lifetime of a cached prefix. */
  public enum Ttl {
    /** The provider's default (5 minutes on Anthropic); no {@code ttl} is sent. */
    DEFAULT,
    /** 5 minutes after the last use. */
    FIVE_MINUTES,
    /** 1 hour after the last use. */
    ONE_HOUR
  }

  /** A breakpoint with the provider's default lifetime. */
  public static final CacheControl DEFAULT = new CacheControl(Ttl.DEFAULT);

  public CacheControl {
    requireNonNull(ttl, "ttl");
  }
}
