package dev.providergateway.dispatch;

import dev.providergateway.provider.ChatRequest;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The attempts of a one-answer call other than {@code chat} (embeddings, token counting): each
 * attempt is one provider future for the target's model, and the call's answer is {@link #result}.
 * Cancelling {@link #result} cancels the call through its runner. Thread-safe.
 *
 * <p>The runner threads each attempt's model through a {@link ChatRequest} (its one request type);
 * this strategy reads only that model and calls its {@link Starter} with it.
 *
 * @param <T> the provider's answer
 */
final class FutureStrategy<T> implements AttemptRunner.Strategy<T> {
  final CompletableFuture<Dispatcher.Answer<T>> result = new CompletableFuture<>();
  private final Starter<T> starter;
  private final Finisher<T> finisher;
  private final Metering<T> metering;

  /** Starts one attempt's provider call for {@code model} at {@code target}. */
  interface Starter<T> {
    CompletableFuture<T> start(Target target, String model);
  }

  /**
   * What an attempt consumed upstream, so it is charged like a chat attempt: the usage the answer
   * reports, else {@code estimate} (marked estimated); an estimate of null means the call consumes
   * nothing billable (token counting).
   */
  record Metering<T>(
      java.util.function.Function<T, dev.providergateway.provider.Usage> reported,
      dev.providergateway.provider.Usage estimate) {
    static <T> Metering<T> free() {
      return new Metering<>(answer -> null, null);
    }
  }

  /** Adds the runner's attempt metadata to an answer (when there were retries or fallbacks). */
  interface Finisher<T> {
    T withMetadata(T answer, Map<String, String> attempts);
  }

  FutureStrategy(Starter<T> starter, Finisher<T> finisher, Metering<T> metering) {
    this.starter = starter;
    this.finisher = finisher;
    this.metering = metering;
  }

  /** Has {@code runner} cancelled when {@link #result} is. */
  void cancelWith(AttemptRunner<T> runner) {
    result.whenComplete(
        (r, e) -> {
          if (result.isCancelled()) {
            runner.cancel();
          }
        });
  }

  @Override
  public AttemptRunner.Handle start(
      Target target, ChatRequest request, AttemptRunner<T>.Attempt attempt) {
    CompletableFuture<T> call = starter.start(target, request.model());
    call.whenComplete(
        (answer, failure) -> {
          if (failure == null) {
            dev.providergateway.provider.Usage usage = metering.reported().apply(answer);
            if (usage != null && usage.totalTokens() > 0) {
              attempt.consumed(request.model(), usage, false);
            } else if (metering.estimate() != null) {
              attempt.consumed(request.model(), metering.estimate(), true);
            }
            attempt.succeeded(answer);
          } else {
            if (metering.estimate() != null && UsageEstimate.consumedOnFailure(failure)) {
              // The request reached the upstream, which billed at least its input.
              attempt.consumed(request.model(), metering.estimate(), true);
            }
            attempt.failed(failure);
          }
        });
    return () -> call.cancel(true);
  }

  @Override
  public void succeed(Target target, T answer, Map<String, String> metadata) {
    T finished = metadata.isEmpty() ? answer : finisher.withMetadata(answer, metadata);
    result.complete(new Dispatcher.Answer<>(target.provider().name(), target.model(), finished));
  }

  @Override
  public void fail(Throwable failure) {
    result.completeExceptionally(failure);
  }
}
