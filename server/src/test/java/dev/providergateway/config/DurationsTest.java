package dev.providergateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "500ms, PT0.5S",
    "30s, PT30S",
    "2m, PT2M",
    "1h, PT1H",
    "1d, PT24H",
    "' 10 s ', PT10S",
    "PT30S, PT30S",
    "pt1m30s, PT1M30S",
    "0s, PT0S",
  })
  void parse_supportedNotation_givesDuration(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "30", "soon", "1.5s", "-1s", "30 seconds", "1m30s", "P", "99999999999999999d"})
  void parse_otherText_fails(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a duration like 500ms, 30s, 2m, 1h or PT30S");
  }

  @ParameterizedTest
  @CsvSource({
    "PT0.5S, 500ms",
    "PT30S, 30s",
    "PT2M, 2m",
    "PT1H, 1h",
    "PT0S, 0s",
    "PT-1S, PT-1S",
    "PT1.0000001S, PT1.0000001S"
  })
  void format_duration_usesFileNotationWhereExact(String iso, String text) {
    assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
  }
}
