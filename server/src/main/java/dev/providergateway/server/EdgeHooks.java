package dev.providergateway.server;

import dev.providergateway.auth.Admission;
import dev.providergateway.auth.Caller;
import dev.providergateway.auth.RequestHooks;
import dev.providergateway.observability.CallRecord;
import dev.providergateway.provider.Usage;
import dev.providergateway.usage.Accounting;
import java.math.BigDecimal;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The gateway's {@link RequestHooks}: admits each request through the caller's budget, allowlists
 * and rate limits, then records its outcome in the call's {@link CallRecord}, whose meter charges
 * every upstream attempt's consumption to the caller's key (tokens per minute, budget, usage book).
 */
final class EdgeHooks implements RequestHooks {
  private final Admission admission;
  private final Accounting accounting;

  EdgeHooks(Admission admission, Accounting accounting) {
    this.admission = admission;
    this.accounting = accounting;
  }

  @Override
  public Tracker begin(String provider, String model) {
    CallRecord call = CallRecord.current();
    if (call != null) {
      // Known before admission, so a refused request's access line names the key too.
      Caller.current().ifPresent(c -> call.caller(c.keyId()));
    }
    Caller.current().ifPresent(c -> accounting.admit(c.keyId()));
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
    if (call != null) {
      call.admitted(keyId, provider, model);
      call.meter(
          (p, m, usage, estimated) -> {
            if (!keyId.isEmpty()) {
              admission.charge(keyId, usage.totalTokens());
            }
            return accounting.charge(keyId, p, m, usage, estimated);
          });
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
          call.completed(provider, model);
        }
      }

      @Override
      public dev.providergateway.v1.Usage priced(
          String provider, String model, dev.providergateway.v1.Usage usage) {
        OptionalLong cost =
            accounting.price(
                provider,
                model,
                new Usage(
                    usage.getPromptTokens(),
                    usage.getCompletionTokens(),
                    usage.getCacheReadTokens(),
                    usage.getCacheWriteTokens(),
                    usage.getReasoningTokens()));
        if (cost.isEmpty()) {
          return usage;
        }
        return usage.toBuilder()
            .setCost(BigDecimal.valueOf(cost.getAsLong(), 9).doubleValue())
            .setCurrency(accounting.currency())
            .build();
      }
    };
  }
}
