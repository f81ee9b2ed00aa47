package dev.providergateway.server;

import dev.providergateway.auth.Admission;
import dev.providergateway.auth.RequestHooks;
import dev.providergateway.observability.CallRecord;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The gateway's {@link RequestHooks}: admits each request through the caller's allowlists and rate
 * limits, then records its outcome in the call's {@link CallRecord} and charges its tokens to the
 * caller's key.
 */
final class EdgeHooks implements RequestHooks {
  private final Admission admission;

  EdgeHooks(Admission admission) {
    this.admission = admission;
  }

  @Override
  public Tracker begin(String provider, String model) {
    Admission.Admitted admitted = admission.admit(provider, model);
    CompletableFuture<Void> limits = admitted.limits();
    if (limits.isCompletedExceptionally()) {
      // In-process limits: refused at once, on the caller's thread.
      try {
        limits.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    String keyId = admitted.keyId().orElse("");
    CallRecord call = CallRecord.current();
    if (call != null) {
      call.admitted(keyId, provider, model);
    }
    if (call == null && keyId.isEmpty() && limits.isDone()) {
      return Tracker.NONE;
    }
    return new Tracker() {
      @Override
      public CompletableFuture<Void> admitted() {
        return limits;
      }

      @Override
      public void firstOutput() {
        if (call != null) {
          call.firstOutput(System.nanoTime());
        }
      }

      @Override
      public void completed(String provider, String model, long inputTokens, long outputTokens) {
        if (call != null) {
          call.completed(provider, model, inputTokens, outputTokens);
        }
        if (!keyId.isEmpty()) {
          admission.charge(keyId, inputTokens + outputTokens);
        }
      }
    };
  }
}
