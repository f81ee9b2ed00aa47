package dev.providergateway.observability;

import static dev.providergateway.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.Test;

/** Caller-chosen text cannot write extra log lines or terminal escapes, in either log format. */
class LogForgingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  // A model name that, written raw, ends the access line and forges another one.
  private static final String FORGED =
      "echo-1\n2026-01-01T00:00:00Z INFO  dev.providergateway.access - access request_id=forged"
          + " status=OK\r\u001b[2J\u0085\u2028\u2029\u009b\u0007";

  @Test
  void accessLog_textFormat_modelWithControlCharacters_staysOneEscapedLine() throws Exception {
    String out = accessLines(new TextLogFormatter(), "text");

    assertThat(out.split("\\R", -1)).hasSize(2); // one line and the final separator
    assertThat(out).doesNotContainPattern("[\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f\\u2028\\u2029]");
    assertThat(out).contains("model=echo-1\\n2026-01-01T00:00:00Z").contains("\\r\\u001b[2J");
  }

  @Test
  void accessLog_jsonFormat_modelWithControlCharacters_staysOneLineAndKeepsTheValue()
      throws Exception {
    String out = accessLines(new JsonLogFormatter(), "json");

    assertThat(out.split("\\R", -1)).hasSize(2);
    assertThat(out).doesNotContainPattern("[\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f\\u2028\\u2029]");
    JsonNode line = JSON.readTree(out);
    assertThat(line.get("model").asText()).isEqualTo(FORGED);
  }

  @Test
  void formatters_exceptionMessageWithNewline_keepTheTraceLinesOnly() {
    LogRecord record = new LogRecord(Level.SEVERE, "unexpected failure");
    record.setLoggerName("dev.providergateway.test");
    record.setThrown(
        new IllegalStateException(
            "bad model x\nFAKE 2026 INFO forged", new RuntimeException("cause\u2028forged")));

    String text = new TextLogFormatter().format(record);
    String json = new JsonLogFormatter().format(record);

    assertThat(text.lines()).noneMatch(l -> l.startsWith("FAKE") || l.startsWith("forged"));
    assertThat(text)
        .contains("IllegalStateException: bad model x\\nFAKE 2026 INFO forged")
        .contains("Caused by: java.lang.RuntimeException: cause\\u2028forged")
        .contains("\tat ");
    assertThat(json).hasLineCount(1).doesNotContain("\u2028");
  }

  private static String accessLines(Formatter formatter, String format) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StreamHandler handler = new StreamHandler(out, formatter);
    Logger access = Logger.getLogger(AccessLog.LOGGER);
    access.addHandler(handler);
    try (TestGateway gateway =
        new TestGateway(ConfigLoader.parse("logging: {format: " + format + "}\n", Map.of()))) {
      gateway.blocking().chat(chat("echo", "hello").setModel(FORGED).build());
    } finally {
      handler.flush();
      access.removeHandler(handler);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
