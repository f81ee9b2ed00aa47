package dev.providergateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryHintsTest {
  @Test
  void inMessage_retryInWithUnits_isTheHint() {
    assertThat(RetryHints.inMessage("Quota exceeded. Please retry in 41.25s."))
        .contains(Duration.ofMillis(41_250));
    assertThat(RetryHints.inMessage("retry in 150ms")).contains(Duration.ofMillis(150));
    assertThat(RetryHints.inMessage("retry in 2 minutes")).contains(Duration.ofMinutes(2));
    assertThat(RetryHints.inMessage("Retry in 3h")).contains(Duration.ofHours(3));
  }

  @Test
  void inMessage_noHint_isEmpty() {
    assertThat(RetryHints.inMessage("the key is out until the config is reloaded")).isEmpty();
    assertThat(RetryHints.inMessage(null)).isEmpty();
  }
}
