package dev.providergateway.observability;

import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One line per record for people: {@code time level logger [request id trace_id=...] message} (the
 * trace id when tracing is on), then the stack trace if any. The message is made safe by {@link
 * LogText} (secrets redacted, control characters escaped), so a record is always one line plus the
 * frames of its trace.
 */
public final class TextLogFormatter extends Formatter {
  @Override
  public String format(LogRecord record) {
    StringBuilder line = LogTime.append(new StringBuilder(512), record.getMillis()).append(' ');
    String level = LogLevels.name(record.getLevel());
    line.append(level);
    for (int pad = level.length(); pad < 5; pad++) {
      line.append(' ');
    }
    line.append(' ').append(record.getLoggerName());
    CallRecord call = CallRecord.forLog();
    if (call != null && !AccessLog.LOGGER.equals(record.getLoggerName())) {
      line.append(" [").append(call.requestId());
      if (call.traceId() != null) {
        line.append(" trace_id=").append(call.traceId());
      }
      line.append(']');
    }
    Object[] params = record.getParameters();
    boolean fields = params != null && params.length == 1 && params[0] instanceof java.util.Map;
    line.append(" - ")
        .append(LogText.safe(fields ? record.getMessage() : formatMessage(record)))
        .append(System.lineSeparator());
    if (record.getThrown() != null) {
      line.append(LogText.trace(record.getThrown()));
    }
    return line.toString();
  }
}
