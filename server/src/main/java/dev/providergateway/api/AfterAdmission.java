package dev.providergateway.api;

import io.grpc.Context;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.function.Supplier;

/**
 * Dispatches a request once its rate-limit decision is in. In-process limits have decided by then,
 * and the request is dispatched at once as before; limits shared through Redis answer later, on the
 * store's I/O thread, and the request is dispatched there (inside the call's gRPC context) without
 * any thread having waited. A refusal fails the call; a cancellation before the decision means the
 * request is never dispatched.
 */
final class AfterAdmission {
  private AfterAdmission() {}

  /** {@code dispatch}'s future, started once {@code admitted} succeeds. */
  static <T> CompletableFuture<T> future(
      CompletableFuture<Void> admitted, Supplier<CompletableFuture<T>> dispatch) {
    if (admitted.isDone() && !admitted.isCompletedExceptionally()) {
      return dispatch.get();
    }
    Context context = Context.current();
    CompletableFuture<T> result = new CompletableFuture<>();
    admitted.whenComplete(
        (ok, refused) -> {
          if (refused != null) {
            result.completeExceptionally(unwrap(refused));
            return;
          }
          if (result.isDone()) {
            return; // cancelled while waiting for the decision
          }
          CompletableFuture<T> running;
          try {
            running = context.wrap(dispatch::get).call();
          } catch (Exception e) {
            result.completeExceptionally(e);
            return;
          }
          result.whenComplete(
              (v, e) -> {
                if (result.isCancelled()) {
                  running.cancel(true);
                }
              });
          running.whenComplete(
              (v, e) -> {
                if (e == null) {
                  result.complete(v);
                } else {
                  result.completeExceptionally(unwrap(e));
                }
              });
        });
    return result;
  }

  /** {@code dispatch}'s publisher, subscribed to once {@code admitted} succeeds. */
  static <T> Flow.Publisher<T> publisher(
      CompletableFuture<Void> admitted, Supplier<Flow.Publisher<T>> dispatch) {
    if (admitted.isDone() && !admitted.isCompletedExceptionally()) {
      return dispatch.get();
    }
    Context context = Context.current();
    return subscriber ->
        admitted.whenComplete(
            (ok, refused) -> {
              Flow.Publisher<T> source;
              try {
                if (refused != null) {
                  throw unwrap(refused);
                }
                source = context.wrap(dispatch::get).call();
              } catch (Throwable e) {
                subscriber.onSubscribe(NOTHING);
                subscriber.onError(e);
                return;
              }
              context.run(() -> source.subscribe(subscriber));
            });
  }

  private static final Flow.Subscription NOTHING =
      new Flow.Subscription() {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
      };

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
