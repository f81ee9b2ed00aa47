package dev.providergateway.openai;

import static java.util.Objects.requireNonNull;

import dev.providergateway.api.ChatEntry;
import dev.providergateway.auth.ApiKeyAuthenticator;
import java.util.Optional;

/**
 * What the HTTP door serves a call with: one config generation's {@link ChatEntry} (its registry,
 * resilience, admission and hooks, shared with the gRPC service of the same generation), its caller
 * keys, and its in-flight counter, so a reload retires a generation only when the calls of both
 * doors have ended.
 *
 * @param entry the generation's way into the dispatcher
 * @param authenticator the caller keys; empty when caller authentication is off
 * @param started called when a call starts on this generation
 * @param ended called exactly once when that call ends
 */
public record DoorGeneration(
    ChatEntry entry,
    Optional<ApiKeyAuthenticator> authenticator,
    Runnable started,
    Runnable ended) {
  public DoorGeneration {
    requireNonNull(entry, "entry");
    requireNonNull(authenticator, "authenticator");
    requireNonNull(started, "started");
    requireNonNull(ended, "ended");
  }
}
