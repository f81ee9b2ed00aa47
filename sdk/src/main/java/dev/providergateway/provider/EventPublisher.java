package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
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
 * <p>Footprint: a held stream keeps three of these (provider, assembler, caller), so the state
 * lives in plain fields updated through {@link VarHandle}s (no atomic wrapper objects), the queue
 * is made only when an item has to wait for demand, and the start callback (which captures the
 * request) is dropped once it ran. An item emitted while the subscriber has demand and nothing is
 * queued goes straight to it.
 *
 * @param <T> the item type
 */
public final class EventPublisher<T> implements Flow.Publisher<T> {
  private static final VarHandle REQUESTED;
  private static final VarHandle WIP;
  private static final VarHandle SUBSCRIBED;
  private static final VarHandle CANCELLED;
  private static final VarHandle QUEUE;
  private static final VarHandle QUEUED;
  private static final VarHandle CANCEL_ACTION;

  /** Marks the cancel actions as run: an action added later runs at once. */
  private static final Runnable RAN = () -> {};

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      REQUESTED = l.findVarHandle(EventPublisher.class, "requested", long.class);
      WIP = l.findVarHandle(EventPublisher.class, "wip", int.class);
      SUBSCRIBED = l.findVarHandle(EventPublisher.class, "subscribed", boolean.class);
      CANCELLED = l.findVarHandle(EventPublisher.class, "cancelled", boolean.class);
      QUEUE = l.findVarHandle(EventPublisher.class, "queue", Queue.class);
      QUEUED = l.findVarHandle(EventPublisher.class, "queued", int.class);
      CANCEL_ACTION = l.findVarHandle(EventPublisher.class, "cancelAction", Runnable.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile Consumer<EventPublisher<T>> start;
  private volatile Queue<T> queue;
  // Items offered and not yet polled: wantsMore() runs per read and per item, and a
  // ConcurrentLinkedQueue counts by walking its nodes.
  private volatile int queued;
  private volatile long requested;
  private volatile int wip;
  private volatile boolean subscribed;
  private volatile boolean cancelled;
  private volatile Flow.Subscriber<? super T> subscriber;
  private volatile boolean done;
  private volatile boolean terminated;
  private volatile Throwable error;
  private volatile Runnable cancelAction;
  private volatile Runnable demandListener;

  /** A publisher whose producer is started by {@code start} when subscribed. */
  public EventPublisher(Consumer<EventPublisher<T>> start) {
    this.start = requireNonNull(start, "start");
  }

  @Override
  public void subscribe(Flow.Subscriber<? super T> s) {
    requireNonNull(s, "subscriber");
    if (!SUBSCRIBED.compareAndSet(this, false, true)) {
      s.onSubscribe(NoopSubscription.INSTANCE);
      s.onError(new IllegalStateException("this publisher accepts a single subscriber"));
      return;
    }
    subscriber = s;
    s.onSubscribe(new Subscription());
    Consumer<EventPublisher<T>> producer = start;
    start = null; // it captures the request: a held stream need not keep it
    try {
      producer.accept(this);
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  /** Queues an item for delivery; ignored after a terminal signal or a cancel. */
  public void emit(T item) {
    requireNonNull(item, "item");
    if (done || cancelled) {
      return;
    }
    if (wip == 0 && WIP.compareAndSet(this, 0, 1)) {
      Queue<T> q = queue;
      if ((q == null || q.isEmpty()) && requested > 0 && !cancelled) {
        // The common case: demand and nothing waiting, so no queue node for this item.
        subscriber.onNext(item);
        REQUESTED.getAndAdd(this, -1L);
      } else {
        enqueue(item);
      }
      drainLoop();
      return;
    }
    enqueue(item);
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
    if (cancelled || done) {
      return false;
    }
    return requested > queued;
  }

  /** True once the subscriber cancelled. */
  public boolean isCancelled() {
    return cancelled;
  }

  /**
   * Adds an action that aborts upstream work; it runs once, on the cancelling thread, or at once if
   * the subscriber already cancelled.
   */
  public void onCancel(Runnable action) {
    requireNonNull(action, "action");
    while (true) {
      Runnable current = cancelAction;
      if (current == RAN) {
        action.run();
        return;
      }
      Runnable next =
          current == null
              ? action
              : () -> {
                current.run();
                action.run();
              };
      if (CANCEL_ACTION.compareAndSet(this, current, next)) {
        return;
      }
    }
  }

  /**
   * Registers a listener run (on the requesting thread) each time the subscriber adds demand that
   * the queued items do not cover. Producers that paused reading resume from it.
   */
  public void onDemand(Runnable listener) {
    demandListener = requireNonNull(listener, "listener");
  }

  @SuppressWarnings("unchecked")
  private Queue<T> queue() {
    Queue<T> q = queue;
    if (q == null) {
      q = new ConcurrentLinkedQueue<>();
      if (!QUEUE.compareAndSet(this, null, q)) {
        q = (Queue<T>) QUEUE.getVolatile(this);
      }
    }
    return q;
  }

  private void enqueue(T item) {
    queue().offer(item);
    QUEUED.getAndAdd(this, 1);
  }

  /** The next queued item, or null. */
  private T poll(Queue<T> q) {
    T item = q.poll();
    if (item != null) {
      QUEUED.getAndAdd(this, -1);
    }
    return item;
  }

  private void clearQueue() {
    Queue<T> q = queue;
    if (q != null) {
      while (poll(q) != null) {
        // dropped
      }
    }
  }

  private void runCancelActions() {
    Runnable action = (Runnable) CANCEL_ACTION.getAndSet(this, RAN);
    if (action != null && action != RAN) {
      action.run();
    }
  }

  private void drain() {
    if ((int) WIP.getAndAdd(this, 1) != 0) {
      return;
    }
    drainLoop();
  }

  /** Delivers what demand allows; the caller holds the work-in-progress count. */
  private void drainLoop() {
    int missed = 1;
    do {
      long demand = requested;
      long delivered = 0;
      Queue<T> q = queue;
      while (q != null && delivered != demand && !cancelled) {
        T item = poll(q);
        if (item == null) {
          break;
        }
        subscriber.onNext(item);
        delivered++;
      }
      if (cancelled) {
        clearQueue();
        return;
      }
      q = queue;
      if (done && (q == null || q.isEmpty()) && !terminated) {
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
        REQUESTED.getAndAdd(this, -delivered);
      }
      missed = (int) WIP.getAndAdd(this, -missed) - missed;
    } while (missed != 0);
  }

  private final class Subscription implements Flow.Subscription {
    @Override
    public void request(long n) {
      if (n <= 0) {
        // Rule 3.9: signal at once, ahead of queued items the subscriber may never ask for.
        clearQueue();
        error = new IllegalArgumentException("request(n) needs n > 0, was " + n);
        done = true;
        drain();
        return;
      }
      long r;
      do {
        r = requested;
      } while (!REQUESTED.compareAndSet(
          EventPublisher.this, r, r + n < 0 ? Long.MAX_VALUE : r + n));
      drain();
      Runnable listener = demandListener;
      if (listener != null && wantsMore()) {
        listener.run();
      }
    }

    @Override
    public void cancel() {
      if (CANCELLED.compareAndSet(EventPublisher.this, false, true)) {
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
