package dev.providergateway.observability;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.providergateway.provider.Secrets;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Writes each log record as one JSON object per line: {@code time}, {@code level}, {@code logger},
 * {@code message}, {@code request_id} and, when tracing is on, {@code trace_id} (of the gRPC call
 * the logging thread serves, when there is one), the fields of a map passed as the record's first
 * parameter (the access log's), and {@code error} with the stack trace. A {@code java.util.logging}
 * formatter, so the gateway needs no logging framework.
 */
public final class JsonLogFormatter extends Formatter {
  private static final JsonFactory JSON = new JsonFactory();
  private static final CharacterEscapes ESCAPES = new LineSafeEscapes();

  @Override
  public String format(LogRecord record) {
    StringWriter out = new StringWriter(512);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.setCharacterEscapes(ESCAPES);
      json.writeStartObject();
      json.writeStringField("time", LogTime.format(record.getMillis()));
      json.writeStringField("level", LogLevels.name(record.getLevel()));
      json.writeStringField("logger", String.valueOf(record.getLoggerName()));
      Map<?, ?> fields = fields(record);
      json.writeStringField(
          "message",
          fields == null
              ? Secrets.redact(formatMessage(record))
              // The access line's text form is built only for formatters that print it.
              : record instanceof AccessLog.Line
                  ? AccessLog.WORD
                  : Secrets.redact(firstWord(record.getMessage())));
      CallRecord call = CallRecord.forLog();
      if (call != null && (fields == null || !fields.containsKey("request_id"))) {
        json.writeStringField("request_id", call.requestId());
      }
      if (call != null
          && call.traceId() != null
          && (fields == null || !fields.containsKey("trace_id"))) {
        json.writeStringField("trace_id", call.traceId());
      }
      if (fields != null) {
        for (Map.Entry<?, ?> e : fields.entrySet()) {
          writeField(json, String.valueOf(e.getKey()), e.getValue());
        }
      }
      if (record.getThrown() != null) {
        json.writeStringField("error", LogText.trace(record.getThrown()));
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
    } else if (value instanceof java.math.BigDecimal d) {
      // Money: written exactly, as the access log's cost is summed by log pipelines.
      json.writeFieldName(name);
      json.writeNumber(d.toPlainString());
    } else if (value instanceof Number n) {
      json.writeNumberField(name, n.doubleValue());
    } else if (value instanceof Boolean b) {
      json.writeBooleanField(name, b);
    } else {
      json.writeStringField(name, Secrets.redact(value.toString()));
    }
  }

  /**
   * Jackson escapes C0 controls already; this adds DEL, the C1 controls (NEL included) and the
   * Unicode line and paragraph separators, which some log readers take as line ends, so a line of
   * output is always exactly one record. The values read back unchanged.
   */
  private static final class LineSafeEscapes extends CharacterEscapes {
    private final int[] ascii = standardAsciiEscapesForJSON();

    LineSafeEscapes() {
      ascii[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      if ((ch >= 0x80 && ch <= 0x9f) || ch == 0x2028 || ch == 0x2029) {
        return new SerializedString(String.format("\\u%04x", ch));
      }
      return null;
    }
  }
}
