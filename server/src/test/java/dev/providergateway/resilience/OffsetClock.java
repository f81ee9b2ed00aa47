package dev.providergateway.resilience;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that follows real time and that tests can move forward at once. Fault tests need both:
 * deadlines and Retry-After checks are compared with real timers, while breaker open periods,
 * cooldowns and the retry budget's window are long and are skipped over by hand.
 */
final class OffsetClock extends Clock {
  private volatile Duration offset = Duration.ZERO;

  /** Moves the clock forward by {@code d}. */
  void advance(Duration d) {
    offset = offset.plus(d);
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(offset);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
