package dev.providergateway.observability;

import static dev.providergateway.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.testing.ResponseHeaders;
import dev.providergateway.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.Test;

/** JSON log lines and the access log. */
class LogFormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void jsonFormatter_writesOneObjectPerLineWithError() throws Exception {
    LogRecord record = new LogRecord(Level.WARNING, "upstream {0} failed");
    record.setParameters(new Object[] {"echo"});
    record.setLoggerName("dev.providergateway.test");
    record.setThrown(new IllegalStateException("boom"));

    String line = new JsonLogFormatter().format(record);

    assertThat(line).endsWith(System.lineSeparator()).hasLineCount(1);
    JsonNode json = JSON.readTree(line);
    assertThat(json.get("level").asText()).isEqualTo("WARN");
    assertThat(json.get("message").asText()).isEqualTo("upstream echo failed");
    assertThat(json.get("logger").asText()).isEqualTo("dev.providergateway.test");
    assertThat(json.get("error").asText()).contains("IllegalStateException: boom");
    assertThat(json.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
  }

  @Test
  void accessLog_oneJsonLinePerCall_withProviderModelStatusTokensAndRequestId() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StreamHandler handler = new StreamHandler(out, new JsonLogFormatter());
    Logger access = Logger.getLogger(AccessLog.LOGGER);
    access.addHandler(handler);
    var capture = new ResponseHeaders();
    try (TestGateway gateway =
        new TestGateway(ConfigLoader.parse("logging: {format: json}\n", Map.of()))) {
      gateway.blocking().withInterceptors(capture).chat(chat("echo", "three little words").build());
      gateway.blocking().stream(chat("echo", "two words").build()).forEachRemaining(c -> {});
    } finally {
      handler.flush();
      access.removeHandler(handler);
    }

    String[] lines = out.toString(StandardCharsets.UTF_8).split("\\R");
    assertThat(lines).hasSize(2);
    JsonNode chat = JSON.readTree(lines[0]);
    assertThat(chat.get("message").asText()).isEqualTo("access");
    assertThat(chat.get("request_id").asText()).isEqualTo(capture.requestIds.peek());
    assertThat(chat.get("method").asText()).isEqualTo("Chat");
    assertThat(chat.get("provider").asText()).isEqualTo("echo");
    assertThat(chat.get("model").asText()).isEqualTo("echo-1");
    assertThat(chat.get("status").asText()).isEqualTo("OK");
    assertThat(chat.get("input_tokens").asLong()).isEqualTo(3);
    assertThat(chat.get("output_tokens").asLong()).isEqualTo(3);
    assertThat(chat.get("duration_ms").isNumber()).isTrue();
    JsonNode stream = JSON.readTree(lines[1]);
    assertThat(stream.get("method").asText()).isEqualTo("Stream");
    assertThat(stream.get("ttft_ms").isNumber()).isTrue();
  }

  @Test
  void textFormatter_accessLineCarriesFieldsAsKeyValues() {
    LogRecord record = new LogRecord(Level.INFO, "access request_id=abc method=Chat status=OK");
    record.setLoggerName(AccessLog.LOGGER);
    record.setParameters(new Object[] {Map.of("request_id", "abc")});

    assertThat(new TextLogFormatter().format(record))
        .contains("INFO  dev.providergateway.access - access request_id=abc method=Chat status=OK");
  }
}
