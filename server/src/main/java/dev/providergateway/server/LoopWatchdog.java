package dev.providergateway.server;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Says so when an event loop is stuck. Calls are served on the event loops, so a handler or a
 * drop-in provider that blocks stalls every call on its loop; this watchdog sends each loop a no-op
 * task every quarter of {@code threshold} and, when one has not run for longer than {@code
 * threshold}, logs a warning with the loop thread's stack (where it is blocked), once per stall,
 * and a note when the loop runs again. It costs a few tasks a second.
 */
final class LoopWatchdog implements Closeable {
  private static final Logger LOG = Logger.getLogger(LoopWatchdog.class.getName());
  private static final int STACK_FRAMES = 24;

  private final long thresholdNanos;
  private final List<Probe> probes = new ArrayList<>();
  private final ScheduledFuture<?> task;

  LoopWatchdog(EventLoopGroup group, ScheduledExecutorService scheduler, Duration threshold) {
    this.thresholdNanos = threshold.toNanos();
    for (EventExecutor loop : group) {
      probes.add(new Probe(loop));
    }
    long period = Math.max(10, threshold.toMillis() / 4);
    this.task =
        scheduler.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  private void check() {
    long now = System.nanoTime();
    for (Probe p : probes) {
      p.check(now);
    }
  }

  @Override
  public void close() {
    task.cancel(false);
  }

  /** One loop's probe: at most one no-op task in flight. Used by the scheduler thread only. */
  private final class Probe {
    private final EventExecutor loop;
    private volatile Thread thread;
    private volatile boolean inFlight;
    private long sentAt;
    private boolean reported;

    Probe(EventExecutor loop) {
      this.loop = loop;
    }

    void check(long now) {
      if (inFlight) {
        long stuck = now - sentAt;
        if (!reported && stuck > thresholdNanos) {
          reported = true;
          LOG.log(Level.WARNING, describe(stuck));
        }
        return;
      }
      if (reported) {
        reported = false;
        LOG.info(() -> "event loop " + name() + " runs again");
      }
      inFlight = true;
      sentAt = now;
      try {
        loop.execute(
            () -> {
              thread = Thread.currentThread();
              inFlight = false;
            });
      } catch (RejectedExecutionException e) {
        inFlight = false; // shutting down
      }
    }

    private String name() {
      Thread t = thread;
      return t == null ? loop.toString() : t.getName();
    }

    private String describe(long stuckNanos) {
      StringBuilder text =
          new StringBuilder("event loop ")
              .append(name())
              .append(" has run one task for ")
              .append(TimeUnit.NANOSECONDS.toMillis(stuckNanos))
              .append(
                  " ms: every call on it is stalled. Something blocks it (a drop-in provider that blocks"
                      + " needs server.executor_threads > 0)");
      Thread t = thread;
      if (t != null) {
        text.append("; it is at:");
        StackTraceElement[] stack = t.getStackTrace();
        for (int i = 0; i < Math.min(STACK_FRAMES, stack.length); i++) {
          text.append("\n\tat ").append(stack[i]);
        }
      }
      return text.toString();
    }
  }
}
