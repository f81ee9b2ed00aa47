package dev.providergateway.observability;

import java.util.logging.LogManager;

/**
 * A {@link LogManager} that keeps its handlers through JVM shutdown until the gateway has drained.
 *
 * <p>JUL's {@code LogManager} registers a shutdown hook of its own that calls {@link #reset()},
 * which closes and removes every handler. The JVM runs shutdown hooks concurrently, so that hook
 * used to close the log handler while the gateway's hook was still draining calls: the access lines
 * of calls finished in the drain and the "grace period over" warning were lost. Here, once {@link
 * #hold()} has been called, a reset from JUL's hook waits for {@link #release()}, which the
 * gateway's hook calls last; the reset then closes the handlers, which writes out what they hold.
 *
 * <p>Installed by {@code Main} through the {@code java.util.logging.manager} system property before
 * anything logs. Thread-safe. When another manager is installed, {@link #hold()} and {@link
 * #release()} do nothing.
 */
public final class DrainingLogManager extends LogManager {
  private static final String JUL_SHUTDOWN_HOOK = "java.util.logging.LogManager$Cleaner";

  private boolean held;
  private boolean resetPending;

  /** Called by JUL through {@code java.util.logging.manager}. */
  public DrainingLogManager() {}

  /** From now on, a reset by JUL's shutdown hook waits for {@link #release()}. */
  public static void hold() {
    if (LogManager.getLogManager() instanceof DrainingLogManager manager) {
      synchronized (manager) {
        manager.held = true;
      }
    }
  }

  /** Ends the hold; performs the reset JUL's shutdown hook asked for meanwhile, if it did. */
  public static void release() {
    if (LogManager.getLogManager() instanceof DrainingLogManager manager) {
      boolean reset;
      synchronized (manager) {
        manager.held = false;
        reset = manager.resetPending;
        manager.resetPending = false;
      }
      if (reset) {
        manager.resetNow();
      }
    }
  }

  @Override
  public void reset() {
    if (Thread.currentThread().getClass().getName().equals(JUL_SHUTDOWN_HOOK)) {
      synchronized (this) {
        if (held) {
          resetPending = true;
          return;
        }
      }
    }
    super.reset();
  }

  private void resetNow() {
    super.reset();
  }
}
