package dev.providergateway.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Finds threads a call left behind: threads started since a snapshot that are not idle workers of a
 * known pool, and any thread still running gateway code after the call ended.
 */
final class Leftovers {
  /**
   * Pools whose threads may outlive a call by design: the shared event loops and resolver threads
   * (started once per process), gRPC's shared timer (started by the first call with a deadline,
   * kept while in use) and the fake upstream's own threads (whose connections and responses are
   * checked through the fake itself).
   */
  private static final Pattern IDLE_POOLS =
      Pattern.compile("gateway-io-.*|gateway-dns-.*|grpc-timer-\\d+|fake-upstream.*");

  private final Set<Long> before;

  private Leftovers(Set<Long> before) {
    this.before = before;
  }

  /** Remembers the threads alive now. */
  static Leftovers snapshot() {
    return new Leftovers(
        Thread.getAllStackTraces().keySet().stream()
            .map(Thread::getId)
            .collect(Collectors.toSet()));
  }

  /** Threads started since the snapshot, still alive, and not idle pool workers. */
  List<String> newThreads() {
    List<String> found = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive()
          && !before.contains(t.getId())
          && !IDLE_POOLS.matcher(t.getName()).matches()) {
        found.add(t.getName());
      }
    }
    return found;
  }

  /** Threads other than the caller's whose stack is in gateway code (not test code). */
  static List<String> busyInGateway() {
    List<String> busy = new ArrayList<>();
    for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
      if (e.getKey() == Thread.currentThread()) {
        continue;
      }
      boolean inGateway =
          Arrays.stream(e.getValue())
              .map(StackTraceElement::getClassName)
              .anyMatch(
                  c ->
                      c.startsWith("dev.providergateway.")
                          && !c.startsWith("dev.providergateway.provider.testing.")
                          && !c.startsWith("dev.providergateway.resilience.FaultGateway")
                          && !c.startsWith("dev.providergateway.resilience.Outcome"));
      if (inGateway) {
        busy.add(
            e.getKey().getName()
                + " "
                + Arrays.toString(Arrays.copyOf(e.getValue(), Math.min(6, e.getValue().length))));
      }
    }
    return busy;
  }

  /** Waits until {@code condition} holds, up to {@code timeout}; true if it did. */
  static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        return condition.getAsBoolean();
      }
      Thread.sleep(5);
    }
    return true;
  }
}
