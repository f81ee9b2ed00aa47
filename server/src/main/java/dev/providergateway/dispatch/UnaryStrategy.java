package dev.providergateway.dispatch;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The attempts of a non-streaming call: each is one provider {@code chat} future, and the call's
 * answer is {@link #result}. Cancelling {@link #result} (the caller went away or its deadline
 * passed) cancels the call through its runner. Thread-safe.
 */
final class UnaryStrategy implements AttemptRunner.Strategy<CompletionResponse> {
  final CompletableFuture<Dispatcher.ChatResult> result = new CompletableFuture<>();
  private final CallContext context;
  private final Starter starter;

  /**
   * Starts one attempt's provider call; the dispatcher supplies it (it knows the fallback rules).
   */
  interface Starter {
    CompletableFuture<CompletionResponse> start(
        Target target, ChatRequest request, CallContext context);
  }

  UnaryStrategy(CallContext context, Starter starter) {
    this.context = context;
    this.starter = starter;
  }

  /** Has {@code runner} cancelled when {@link #result} is. */
  void cancelWith(AttemptRunner<CompletionResponse> runner) {
    result.whenComplete(
        (r, e) -> {
          if (result.isCancelled()) {
            runner.cancel();
          }
        });
  }

  @Override
  public AttemptRunner.Handle start(
      Target target, ChatRequest request, AttemptRunner<CompletionResponse>.Attempt attempt) {
    CompletableFuture<CompletionResponse> call = starter.start(target, request, context);
    call.whenComplete(
        (response, failure) -> {
          if (failure == null) {
            if (response.usage().totalTokens() > 0) {
              attempt.consumed(response.model(), response.usage(), false);
            } else {
              attempt.consumed(
                  response.model(),
                  UsageEstimate.of(
                      UsageEstimate.prompt(request), UsageEstimate.completion(response)),
                  true);
            }
            attempt.succeeded(response);
          } else {
            if (UsageEstimate.consumedOnFailure(failure)) {
              // The request reached the upstream, which billed at least its prompt.
              attempt.consumed("", UsageEstimate.of(UsageEstimate.prompt(request), 0), true);
            }
            attempt.failed(failure);
          }
        });
    return () -> call.cancel(true);
  }

  @Override
  public void succeed(Target target, CompletionResponse r, Map<String, String> metadata) {
    CompletionResponse response =
        metadata.isEmpty() ? r : r.withMetadata(AttemptRunner.withAttempts(r.metadata(), metadata));
    result.complete(new Dispatcher.ChatResult(target.provider().name(), response));
  }

  @Override
  public void fail(Throwable failure) {
    result.completeExceptionally(failure);
  }
}
