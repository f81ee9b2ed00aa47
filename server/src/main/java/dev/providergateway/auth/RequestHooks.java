package dev.providergateway.auth;

import java.util.concurrent.CompletableFuture;

/**
 * What the gRPC edge tells the gateway about each request it dispatches (a {@code Chat} or {@code
 * Stream} call, or one {@code Converse} turn): the composition root admits it (caller allowlists
 * and rate limits) and records its outcome (tokens, first output) for metrics, the access log and
 * token rate limits.
 */
public interface RequestHooks {
  /** Admits everything and records nothing. */
  RequestHooks NONE = (provider, model) -> Tracker.NONE;

  /**
   * Called after validation and before dispatch, on the gRPC thread with the call's context
   * current.
   *
   * @param provider the request's {@code provider} field
   * @param model the request's {@code model} field
   * @return the request's tracker
   * @throws dev.providergateway.provider.GatewayException to refuse the request ({@link
   *     dev.providergateway.provider.GatewayAuthException.PermissionDenied}, a key's rate limit);
   *     the edge maps it like any other failure
   */
  Tracker begin(String provider, String model);

  /** One admitted request; thread-safe, each method called at most once. */
  interface Tracker {
    /** Records nothing. */
    Tracker NONE = new Tracker() {};

    /**
     * The rate-limit decision, when it was not known at {@link RequestHooks#begin} (limits shared
     * through a store answer later): the request is dispatched once it completes, and refused with
     * its failure. Complete by default.
     */
    default CompletableFuture<Void> admitted() {
      return CompletableFuture.completedFuture(null);
    }

    /** The first chunk of a streamed answer is being sent. */
    default void firstOutput() {}

    /**
     * The request succeeded with this provider, model and usage. (Tokens are charged as each
     * upstream attempt reports them, failed and cancelled ones included, not here.)
     */
    default void completed(String provider, String model, long inputTokens, long outputTokens) {}

    /**
     * {@code usage} of the answer from {@code provider} (registry name) and {@code model}, with its
     * cost and currency set when the model has a price.
     */
    default dev.providergateway.v1.Usage priced(
        String provider, String model, dev.providergateway.v1.Usage usage) {
      return usage;
    }
  }
}
