package dev.providergateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.Secrets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-place path the text formatter takes for access lines makes what {@code safe} makes. */
class LogTextTest {
  private final Object owner = new Object();

  @AfterEach
  void forget() {
    Secrets.unregister(owner);
  }

  @Test
  void makeSafe_randomTextsWithSecretsAndControls_equalsSafeOfTheSameText() {
    // One secret contains another (the longer one must be replaced whole), one repeats a letter
    // (overlapping occurrences), and text is made of pieces of them, controls and separators.
    Secrets.register(owner, List.of("sk-abcdefgh", "sk-abcdefgh-XYZ", "zzzzzzzz"));
    String[] pieces = {
      "sk-abcdefgh",
      "sk-abcdefgh-XYZ",
      "zzzz",
      "zzzzz",
      "sk-",
      "abc",
      " ",
      "=",
      "\n",
      "\r",
      "\t",
      "\u0000",
      "\u007f",
      "\u0085",
      "\u2028",
      "é",
      "model=gpt"
    };
    Random random = new Random(11);
    for (int round = 0; round < 5_000; round++) {
      StringBuilder text = new StringBuilder();
      for (int i = random.nextInt(8); i > 0; i--) {
        text.append(pieces[random.nextInt(pieces.length)]);
      }
      String prefix = "2026-12-03T00:00:00.000Z INFO  access - ";
      StringBuilder line = new StringBuilder(prefix).append(text);
      LogText.makeSafe(line, prefix.length());
      assertThat(line.toString())
          .as("text [%s]", text)
          .isEqualTo(prefix + LogText.safe(text.toString()));
    }
  }
}
