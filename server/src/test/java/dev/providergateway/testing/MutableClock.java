package dev.providergateway.testing;

import dev.providergateway.resilience.GatewayClock;
import java.time.Duration;
import java.time.Instant;

/**
 * The test clock: a {@link GatewayClock} tests move by hand, so time-driven state changes need no
 * sleeping. Its instants and its monotonic ticks move together.
 *
 * <p>Two kinds: {@link #MutableClock() fixed} (time stands still until advanced; for unit tests
 * with a {@link ManualScheduler}) and {@link #followingRealTime()} (real time plus what tests
 * advanced; for gateways whose timers run on a real scheduler and whose providers read the system
 * clock). Thread-safe.
 */
public final class MutableClock extends GatewayClock {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private final boolean realTime;
  private final long originNanos = System.nanoTime();
  private final Instant origin;
  private volatile Duration offset = Duration.ZERO;

  /** A clock that stands still at 2026-01-01T00:00:00Z until advanced. */
  public MutableClock() {
    this(false, START);
  }

  private MutableClock(boolean realTime, Instant origin) {
    this.realTime = realTime;
    this.origin = origin;
  }

  /** A clock that follows real time, and that {@link #advance} moves on at once. */
  public static MutableClock followingRealTime() {
    return new MutableClock(true, Instant.now());
  }

  /** Moves the clock by {@code d} (forward, or back when negative). */
  public void advance(Duration d) {
    offset = offset.plus(d);
  }

  @Override
  public long nanoTime() {
    return originNanos + elapsed().toNanos();
  }

  @Override
  public Instant instant() {
    return origin.plus(elapsed());
  }

  private Duration elapsed() {
    return realTime ? Duration.ofNanos(System.nanoTime() - originNanos).plus(offset) : offset;
  }
}
