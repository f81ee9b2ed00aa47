package dev.providergateway.observability;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Writes each log record as one JSON object per line: {@code time}, {@code level}, {@code logger},
 * {@code message}, {@code request_id} (of the gRPC call the logging thread serves, when there is
 * one), the fields of a map passed as the record's first parameter (the access log's), and {@code
 * error} with the stack trace. A {@code java.util.logging} formatter, so the gateway needs no
 * logging framework.
 */
public final class JsonLogFormatter extends Formatter {
  private static final JsonFactory JSON = new JsonFactory();

  @Override
  public String format(LogRecord record) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("time", Instant.ofEpochMilli(record.getMillis()).toString());
      json.writeStringField("level", LogLevels.name(record.getLevel()));
      json.writeStringField("logger", String.valueOf(record.getLoggerName()));
      Map<?, ?> fields = fields(record);
      json.writeStringField(
          "message", fields != null ? firstWord(record.getMessage()) : formatMessage(record));
      if (fields == null || !fields.containsKey("request_id")) {
        CallRecord call = CallRecord.current();
        if (call != null) {
          json.writeStringField("request_id", call.requestId());
        }
      }
      if (fields != null) {
        for (Map.Entry<?, ?> e : fields.entrySet()) {
          writeField(json, String.valueOf(e.getKey()), e.getValue());
        }
      }
      if (record.getThrown() != null) {
        StringWriter trace = new StringWriter();
        record.getThrown().printStackTrace(new PrintWriter(trace));
        json.writeStringField("error", trace.toString());
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.append(System.lineSeparator()).toString();
  }

  private static Map<?, ?> fields(LogRecord record) {
    Object[] params = record.getParameters();
    return params != null && params.length == 1 && params[0] instanceof Map<?, ?> map ? map : null;
  }

  private static String firstWord(String message) {
    int space = message.indexOf(' ');
    return space < 0 ? message : message.substring(0, space);
  }

  private static void writeField(JsonGenerator json, String name, Object value) throws IOException {
    if (value == null) {
      json.writeNullField(name);
    } else if (value instanceof Integer || value instanceof Long) {
      json.writeNumberField(name, ((Number) value).longValue());
    } else if (value instanceof Number n) {
      json.writeNumberField(name, n.doubleValue());
    } else if (value instanceof Boolean b) {
      json.writeBooleanField(name, b);
    } else {
      json.writeStringField(name, value.toString());
    }
  }
}
