package dev.providergateway.resilience;

import dev.providergateway.provider.GatewayOverloadedException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Concurrency limits: one for the whole gateway and one per provider. A full limit refuses the call
 * at once with {@link GatewayOverloadedException} instead of queueing it, so overload cannot grow
 * memory or latency without bound. Thread-safe.
 */
public final class Bulkheads {
  private final Semaphore global;
  private final int globalLimit;
  private final int perProvider;
  private final Map<String, Semaphore> providers = new ConcurrentHashMap<>();

  public Bulkheads(int globalLimit, int perProvider) {
    this.globalLimit = globalLimit;
    this.global = new Semaphore(globalLimit);
    this.perProvider = perProvider;
  }

  /** A slot of the global limit, held for the whole call, including retries and failovers. */
  public Slot acquireCall() {
    if (!global.tryAcquire()) {
      throw new GatewayOverloadedException(
          "concurrent calls on this gateway (" + globalLimit + ")");
    }
    return new Slot(global);
  }

  /** A slot of {@code provider}'s limit, held for one upstream attempt. */
  public Slot acquireProvider(String provider) {
    Semaphore s = providers.computeIfAbsent(provider, p -> new Semaphore(perProvider));
    if (!s.tryAcquire()) {
      throw new GatewayOverloadedException(
          "concurrent calls to provider '" + provider + "' (" + perProvider + ")");
    }
    return new Slot(s);
  }

  /** A taken slot; {@link #release()} is idempotent. */
  public static final class Slot {
    // Emptied by the first release, so later ones find nothing to give back.
    private final AtomicReference<Semaphore> held;

    private Slot(Semaphore semaphore) {
      this.held = new AtomicReference<>(semaphore);
    }

    public void release() {
      Semaphore s = held.getAndSet(null);
      if (s != null) {
        s.release();
      }
    }
  }
}
