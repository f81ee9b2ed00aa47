package dev.providergateway.resilience;

import java.time.Clock;

/**
 * A gateway-wide cap on extra attempts (retries and failovers), so that retries cannot multiply an
 * outage: over a sliding window of ten one-second buckets, extra attempts may be at most {@code
 * percent}% of calls, plus {@code minPerSecond} per second so quiet gateways still retry.
 * Thread-safe.
 */
public final class RetryBudget {
  private static final int BUCKETS = 10;

  private final int percent;
  private final int minPerSecond;
  private final Clock clock;
  private final long[] calls = new long[BUCKETS];
  private final long[] retries = new long[BUCKETS];
  private final long[] second = new long[BUCKETS];

  public RetryBudget(int percent, int minPerSecond, Clock clock) {
    this.percent = percent;
    this.minPerSecond = minPerSecond;
    this.clock = clock;
  }

  /** Records a call's first attempt. */
  public synchronized void recordCall() {
    calls[bucket()]++;
  }

  /** Takes one extra attempt from the budget; false when it is spent. */
  public synchronized boolean tryRetry() {
    int now = bucket();
    long windowCalls = 0;
    long windowRetries = 0;
    for (int i = 0; i < BUCKETS; i++) {
      windowCalls += calls[i];
      windowRetries += retries[i];
    }
    long allowed = (long) minPerSecond * BUCKETS + windowCalls * percent / 100;
    if (windowRetries >= allowed) {
      return false;
    }
    retries[now]++;
    return true;
  }

  private int bucket() {
    long s = clock.millis() / 1000;
    int i = (int) (s % BUCKETS);
    if (second[i] != s) {
      second[i] = s;
      calls[i] = 0;
      retries[i] = 0;
    }
    // Buckets older than the window are cleared lazily when their slot comes round again.
    for (int k = 0; k < BUCKETS; k++) {
      if (second[k] <= s - BUCKETS) {
        calls[k] = 0;
        retries[k] = 0;
      }
    }
    return i;
  }
}
