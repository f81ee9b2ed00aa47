package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A single-subscriber {@link Flow.Publisher} that a provider feeds from any thread and that
 * delivers to its subscriber serially and only as far as demanded, so providers need not get the
 * Reactive Streams rules right themselves.
 *
 * <p>The producer is started by the {@code start} callback once a subscriber arrives. It then calls
 * {@link #emit}, {@link #complete} or {@link #fail} from any thread. To read the upstream only as
 * fast as the subscriber reads, it checks {@link #wantsMore()} and registers {@link #onDemand} to
 * be told when to resume. Items emitted beyond demand are queued, so a producer that ignores demand
 * is still correct but buffers.
 *
 * <p>Cancellation: the subscriber's {@code cancel()} runs each action given to {@link #onCancel}
 * exactly once (at once if it is registered after the cancel); together they must abort the
 * upstream request.
 *
 * @param <T> the item type
 */
public final class EventPublisher<T> implements Flow.Publisher<T> {
  private final Consumer<EventPublisher<T>> start;
  private final Queue<T> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong requested = new AtomicLong();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private volatile Flow.Subscriber<? super T> subscriber;
  private volatile boolean done;
  private volatile boolean terminated;
  private volatile Throwable error;
  private final Queue<Runnable> cancelActions = new ConcurrentLinkedQueue<>();
  private volatile Runnable demandListener;

  /** A publisher whose producer is started by {@code start} when subscribed. */
  public EventPublisher(Consumer<EventPublisher<T>> start) {
    this.start = requireNonNull(start, "start");
  }

  @Override
  public void subscribe(Flow.Subscriber<? super T> s) {
    requireNonNull(s, "subscriber");
    if (!subscribed.compareAndSet(false, true)) {
      s.onSubscribe(NoopSubscription.INSTANCE);
      s.onError(new IllegalStateException("this publisher accepts a single subscriber"));
      return;
    }
    subscriber = s;
    s.onSubscribe(new Subscription());
    try {
      start.accept(this);
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  /** Queues an item for delivery; ignored after a terminal signal or a cancel. */
  public void emit(T item) {
    requireNonNull(item, "item");
    if (done || cancelled.get()) {
      return;
    }
    queue.offer(item);
    drain();
  }

  /** Signals a clean end once the queued items are delivered. */
  public void complete() {
    done = true;
    drain();
  }

  /** Signals a failure once the queued items are delivered. */
  public void fail(Throwable cause) {
    requireNonNull(cause, "cause");
    if (done) {
      return;
    }
    error = cause;
    done = true;
    drain();
  }

  /** True while the subscriber has demand that the queued items do not cover. */
  public boolean wantsMore() {
    return !cancelled.get() && !done && requested.get() > queue.size();
  }

  /** True once the subscriber cancelled. */
  public boolean isCancelled() {
    return cancelled.get();
  }

  /**
   * Adds an action that aborts upstream work; it runs once, on the cancelling thread, or at once if
   * the subscriber already cancelled.
   */
  public void onCancel(Runnable action) {
    cancelActions.add(requireNonNull(action, "action"));
    if (cancelled.get()) {
      runCancelActions();
    }
  }

  /**
   * Registers a listener run (on the requesting thread) each time the subscriber adds demand that
   * the queued items do not cover. Producers that paused reading resume from it.
   */
  public void onDemand(Runnable listener) {
    demandListener = requireNonNull(listener, "listener");
  }

  private void runCancelActions() {
    Runnable action;
    while ((action = cancelActions.poll()) != null) {
      action.run();
    }
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      long demand = requested.get();
      long delivered = 0;
      while (delivered != demand && !cancelled.get()) {
        T item = queue.poll();
        if (item == null) {
          break;
        }
        subscriber.onNext(item);
        delivered++;
      }
      if (cancelled.get()) {
        queue.clear();
        return;
      }
      if (done && queue.isEmpty() && !terminated) {
        terminated = true;
        Throwable e = error;
        if (e != null) {
          subscriber.onError(e);
        } else {
          subscriber.onComplete();
        }
        return;
      }
      if (delivered > 0) {
        requested.addAndGet(-delivered);
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private final class Subscription implements Flow.Subscription {
    @Override
    public void request(long n) {
      if (n <= 0) {
        // Rule 3.9: signal at once, ahead of queued items the subscriber may never ask for.
        queue.clear();
        error = new IllegalArgumentException("request(n) needs n > 0, was " + n);
        done = true;
        drain();
        return;
      }
      requested.getAndUpdate(r -> r + n < 0 ? Long.MAX_VALUE : r + n);
      drain();
      Runnable listener = demandListener;
      if (listener != null && wantsMore()) {
        listener.run();
      }
    }

    @Override
    public void cancel() {
      if (cancelled.compareAndSet(false, true)) {
        runCancelActions();
        drain();
      }
    }
  }

  private enum NoopSubscription implements Flow.Subscription {
    INSTANCE;

    @Override
    public void request(long n) {}

    @Override
    public void cancel() {}
  }
}
