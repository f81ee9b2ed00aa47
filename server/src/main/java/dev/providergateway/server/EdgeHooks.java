package dev.providergateway.server;

import dev.providergateway.auth.Admission;
import dev.providergateway.auth.RequestHooks;
import dev.providergateway.observability.CallRecord;

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
    String keyId = admission.admit(provider, model).orElse("");
    CallRecord call = CallRecord.current();
    if (call != null) {
      call.admitted(keyId, provider, model);
    }
    if (call == null && keyId.isEmpty()) {
      return Tracker.NONE;
    }
    return new Tracker() {
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
