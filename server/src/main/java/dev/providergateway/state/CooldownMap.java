package dev.providergateway.state;

import java.time.Instant;
import java.util.Optional;

/**
 * Cooldowns by key (such as a provider and model, or a deployment): after a 429 the key is avoided
 * until an instant. Shared by replicas through the state store, so one replica's 429 spares the
 * others the same 429. Thread-safe.
 *
 * <p>{@link #get} reads a local copy and never waits for the store; {@link #put} updates the local
 * copy at once and publishes to the other replicas in the background. The local copy holds at most
 * {@link #MAX_KEYS} keys (expired ones are dropped first; past that, new keys from other replicas
 * are ignored, this replica's own still count).
 */
public interface CooldownMap {
  /** The most keys the local copy holds. */
  int MAX_KEYS = 10_000;

  /** Cools {@code key} down until {@code cooldown.until()} (a later cooldown already set wins). */
  void put(String key, Cooldown cooldown);

  /** The cooldown of {@code key}, if one is set and not over at {@code now}. */
  Optional<Cooldown> get(String key, Instant now);

  /** Ends the cooldown of {@code key} on this replica's copy. */
  void remove(String key, Cooldown cooldown);

  /**
   * True when no key is cooling (or only expired ones not yet dropped are held): the dispatcher's
   * check before every attempt then needs no lookup, key string or clock read.
   */
  boolean isEmpty();

  /**
   * One cooldown.
   *
   * @param until when the key may be used again
   * @param quota whether it is a quota or billing refusal (no retry) rather than a rate limit
   * @param reason a short, gateway-written reason such as "HTTP 429" (never upstream text)
   */
  record Cooldown(Instant until, boolean quota, String reason) {}
}
