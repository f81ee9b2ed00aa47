package dev.providergateway.state;

import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether the shared store is usable, judged from the outcome of every call: a connection failure
 * marks it down at once, timeouts after {@value #TIMEOUTS_FOR_DOWN} in a row (one slow answer on a
 * loaded machine is not an outage). Logs one warning when an outage starts and one line when it
 * ends; a store that flaps (outages closer than {@link #QUIET} apart, say on an overloaded host)
 * gets no more warnings until it has stayed up that long, only DEBUG lines and the metric.
 * Thread-safe.
 */
final class StoreHealth {
  private static final System.Logger LOG = System.getLogger(StoreHealth.class.getName());
  static final int TIMEOUTS_FOR_DOWN = 3;
  static final long QUIET = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);

  private final String where;
  private final String fallback;
  private final Runnable onRecovered;
  private final AtomicBoolean up = new AtomicBoolean(true);
  private final AtomicInteger timeouts = new AtomicInteger();
  private final AtomicInteger outages = new AtomicInteger();
  // When the last outage ended (System.nanoTime), and whether its start was warned about.
  private volatile long lastRecovery = System.nanoTime() - QUIET;
  private volatile boolean warned;

  /**
   * @param where the store, for messages: its config key and redacted URL
   * @param fallback what the gateway does while the store is down, for the warning
   * @param onRecovered run (on the thread that saw it) when the store is reachable again
   */
  StoreHealth(String where, String fallback, Runnable onRecovered) {
    this.where = where;
    this.fallback = fallback;
    this.onRecovered = onRecovered;
  }

  boolean up() {
    return up.get();
  }

  /** How many outages began since startup. */
  int outages() {
    return outages.get();
  }

  void succeeded() {
    timeouts.set(0);
    if (up.compareAndSet(false, true)) {
      lastRecovery = System.nanoTime();
      LOG.log(
          warned ? System.Logger.Level.INFO : System.Logger.Level.DEBUG,
          "shared state store {0} is reachable again: limits, cooldowns and counters are shared"
              + " again",
          where);
      onRecovered.run();
    }
  }

  void failed(Throwable failure) {
    Throwable cause = Failures.unwrap(failure);
    if (cause instanceof TimeoutException && timeouts.incrementAndGet() < TIMEOUTS_FOR_DOWN) {
      return;
    }
    down(Failures.describe(cause));
  }

  /** Marks the store down; the first call of an outage logs the warning. */
  void down(String why) {
    if (up.compareAndSet(true, false)) {
      outages.incrementAndGet();
      warned = System.nanoTime() - lastRecovery >= QUIET;
      LOG.log(
          warned ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
          "shared state store {0} is unreachable ({1}); {2} until it is back",
          where,
          why,
          fallback);
    }
  }
}
