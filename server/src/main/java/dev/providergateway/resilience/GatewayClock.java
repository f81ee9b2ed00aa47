package dev.providergateway.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The one time source of call policy: wall-clock instants for deadlines, cooldowns, the retry
 * budget and breakers (it is a {@link Clock}, so Resilience4j and every {@code Clock} user take it
 * as is), and monotonic {@link #nanoTime()} for measuring waits such as the stream watchdogs.
 *
 * <p>Why one type with both faces rather than a {@code Clock} plus a separate ticker: the two must
 * agree. A test that advances the clock by hand must advance the ticker with it, or a watchdog
 * would measure real time while everything else follows the fake; keeping both in one object makes
 * that impossible to get wrong. A plain {@code Clock} (what {@code Main} chooses: {@code
 * Clock.systemUTC()}) is adapted by {@link #of} with the JVM's monotonic timer.
 *
 * <p>Its zone is UTC, whatever the adapted clock's: policy reads instants only.
 *
 * <p>Implementations are thread-safe.
 */
public abstract class GatewayClock extends Clock {

  /**
   * Monotonic nanoseconds, for elapsed time only (like {@link System#nanoTime()}): the origin is
   * arbitrary, and differences follow this clock's instants.
   */
  public abstract long nanoTime();

  @Override
  public final ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public final Clock withZone(ZoneId zone) {
    return this;
  }

  /** {@code clock} itself when it is a gateway clock, else its instants with the JVM's ticker. */
  public static GatewayClock of(Clock clock) {
    requireNonNull(clock, "clock");
    return clock instanceof GatewayClock g ? g : new Wall(clock);
  }

  /** A plain clock for instants; elapsed time from the JVM's monotonic timer. */
  private static final class Wall extends GatewayClock {
    private final Clock clock;

    Wall(Clock clock) {
      this.clock = clock;
    }

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public Instant instant() {
      return clock.instant();
    }
  }
}
