package dev.providergateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), 10);

  @Test
  void delay_successiveRetries_doubleWithinJitter() {
    for (int retry = 0; retry < 4; retry++) {
      long expected = 200L << retry;
      for (int i = 0; i < 200; i++) {
        assertThat(backoff.delay(retry, null).toMillis())
            .isBetween(expected * 9 / 10, expected * 11 / 10);
      }
    }
  }

  @Test
  void delay_jitter_spreadsDelays() {
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      seen.add(backoff.delay(2, null).toMillis());
    }

    assertThat(seen).as("distinct delays for one retry number").hasSizeGreaterThan(10);
  }

  @Test
  void delay_manyRetries_cappedAtMax() {
    assertThat(backoff.delay(10, null)).isEqualTo(Duration.ofSeconds(5));
    assertThat(backoff.delay(1000, null)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void delay_retryAfter_replacesComputedDelayUpToMax() {
    assertThat(backoff.delay(0, Duration.ofMillis(1234))).isEqualTo(Duration.ofMillis(1234));
    assertThat(backoff.delay(3, Duration.ZERO)).isEqualTo(Duration.ZERO);
    assertThat(backoff.delay(0, Duration.ofMinutes(2))).isEqualTo(Duration.ofSeconds(5));
  }
}
