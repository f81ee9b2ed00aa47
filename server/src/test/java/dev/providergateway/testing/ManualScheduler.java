package dev.providergateway.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler that runs nothing until the test {@link #advance advances} its {@link MutableClock};
 * then it runs the tasks that came due, in order, on the test's thread. Together they make timers
 * (retries, deadlines, watchdogs) testable without sleeping. Periodic tasks are not supported.
 * Thread-safe, though tests drive it from one thread.
 */
public final class ManualScheduler extends AbstractExecutorService
    implements ScheduledExecutorService {
  private final MutableClock clock;
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private long sequence;
  private boolean shutdown;

  /** A scheduler on {@code clock}, which should be a fixed one. */
  public ManualScheduler(MutableClock clock) {
    this.clock = clock;
  }

  /** Moves the clock by {@code d}, running each task when its time comes. */
  public void advance(Duration d) {
    long end = clock.nanoTime() + d.toNanos();
    while (true) {
      Task<?> next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.due > end) {
          break;
        }
        queue.poll();
      }
      long wait = next.due - clock.nanoTime();
      if (wait > 0) {
        clock.advance(Duration.ofNanos(wait));
      }
      next.run();
    }
    long rest = end - clock.nanoTime();
    if (rest > 0) {
      clock.advance(Duration.ofNanos(rest));
    }
  }

  /** Runs the tasks due now (delay zero), without moving the clock. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /** The tasks waiting, cancelled ones excluded. */
  public synchronized int pending() {
    return (int) queue.stream().filter(t -> !t.isCancelled()).count();
  }

  /** When the next live task is due, from now; null when none is. */
  public synchronized Duration nextDelay() {
    return queue.stream()
        .filter(t -> !t.isCancelled())
        .min(Task::compareTo)
        .map(t -> Duration.ofNanos(t.due - clock.nanoTime()))
        .orElse(null);
  }

  @Override
  public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return add(new Task<>(command, null, clock.nanoTime() + unit.toNanos(delay), sequence++));
  }

  @Override
  public synchronized <V> ScheduledFuture<V> schedule(
      Callable<V> callable, long delay, TimeUnit unit) {
    return add(new Task<>(callable, clock.nanoTime() + unit.toNanos(delay), sequence++));
  }

  private <V> Task<V> add(Task<V> task) {
    queue.add(task);
    return task;
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException("periodic tasks");
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("periodic tasks");
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> left = new ArrayList<>(queue);
    queue.clear();
    return left;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown && queue.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
    final long due;
    final long order;

    Task(Runnable command, V result, long due, long order) {
      super(command, result);
      this.due = due;
      this.order = order;
    }

    Task(Callable<V> callable, long due, long order) {
      super(callable);
      this.due = due;
      this.order = order;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(due - clock.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      Task<?> o = (Task<?>) other;
      return due != o.due ? Long.compare(due, o.due) : Long.compare(order, o.order);
    }

    @Override
    public void run() {
      super.run();
      if (!isCancelled()) {
        try {
          get();
        } catch (ExecutionException e) {
          // A timer task that throws is a test failure, not something to swallow.
          throw new AssertionError("scheduled task failed", e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
