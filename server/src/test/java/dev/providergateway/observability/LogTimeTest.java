package dev.providergateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The cached log timestamp reads exactly as {@link Instant#toString()} does. */
class LogTimeTest {
  @Test
  void format_edgesAndRandomMillis_matchInstantToString() {
    long[] edges = {
      0,
      1,
      999,
      1000,
      1001,
      -1,
      -999,
      -1000,
      -1001,
      1_764_781_011_042L,
      1_764_781_011_000L,
      1_764_781_011_100L,
      1_764_781_011_010L,
      253_402_300_799_999L,
      253_402_300_800_000L,
      -62_167_219_200_000L,
      -62_167_219_200_001L,
      Long.MAX_VALUE / 1000,
      Long.MIN_VALUE / 1000
    };
    for (long millis : edges) {
      assertThat(LogTime.format(millis))
          .as("%d", millis)
          .isEqualTo(Instant.ofEpochMilli(millis).toString());
    }
    SplittableRandom random = new SplittableRandom(22);
    long now = System.currentTimeMillis();
    for (int i = 0; i < 20_000; i++) {
      // Runs of nearby times (the cached second is reused) and jumps anywhere in 0000-9999.
      long millis =
          i % 2 == 0
              ? now + random.nextLong(-5_000, 5_000)
              : random.nextLong(-62_167_219_200_000L, 253_402_300_800_000L);
      assertThat(LogTime.format(millis))
          .as("%d", millis)
          .isEqualTo(Instant.ofEpochMilli(millis).toString());
    }
  }

  @Test
  void append_afterOtherText_appendsOnly() {
    assertThat(LogTime.append(new StringBuilder("t="), 1_000L).toString())
        .isEqualTo("t=1970-01-01T00:00:01Z");
  }
}
