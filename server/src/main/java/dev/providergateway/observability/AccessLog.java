package dev.providergateway.observability;

import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per finished call on the {@value #LOGGER} logger: request id, trace id (when tracing is
 * on), method, caller key id, provider, model, deployment, status, reason, tokens by kind, cost
 * (absent when unpriced), whether tokens were estimated, and timings. Tokens and cost cover every
 * upstream attempt of the call, failed, cancelled and retried ones included, so summing the lines
 * gives what was charged. The fields travel as a map in the record's parameters, so {@link
 * JsonLogFormatter} writes them as JSON fields; the message carries them as {@code key=value} text
 * for every other formatter. No field ever holds a credential.
 */
final class AccessLog {
  static final String LOGGER = "dev.providergateway.access";

  /** The first word of every access line's text. */
  static final String WORD = "access";

  private final Logger logger = Logger.getLogger(LOGGER);
  private volatile String currency = "USD";

  /** The currency costs are in (the pricing section's). */
  void currency(String currency) {
    this.currency = currency;
  }

  void write(
      CallRecord rec,
      CallRecord.Snapshot s,
      Status status,
      String reason,
      String provider,
      long nanos,
      Attributes attributes) {
    if (!logger.isLoggable(Level.INFO)) {
      return;
    }
    // Sized for every field without a rehash.
    Map<String, Object> fields = new LinkedHashMap<>(48);
    fields.put("request_id", rec.requestId);
    if (rec.traceId != null) {
      fields.put("trace_id", rec.traceId);
    }
    fields.put("method", rec.method);
    fields.put("peer", peer(attributes));
    fields.put("key_id", s.keyId());
    fields.put("provider", provider);
    fields.put("model", s.completed() > 0 ? s.model() : s.requestedModel());
    fields.put("deployment", s.deployment());
    fields.put("status", status.getCode().name());
    fields.put("reason", reason);
    fields.put("input_tokens", s.inputTokens());
    fields.put("output_tokens", s.outputTokens());
    fields.put("cache_read_tokens", s.cacheReadTokens());
    fields.put("cache_write_tokens", s.cacheWriteTokens());
    fields.put("reasoning_tokens", s.reasoningTokens());
    // Absent (null) when no attempt was priced: unknown, never a made-up zero.
    fields.put(
        "cost",
        s.costNanos() < 0
            ? null
            : java.math.BigDecimal.valueOf(s.costNanos(), 9).stripTrailingZeros());
    fields.put("currency", s.costNanos() < 0 ? null : currency);
    fields.put("estimated", s.estimated());
    fields.put("duration_ms", millis(nanos));
    fields.put(
        "ttft_ms", s.firstOutputNanos() < 0 ? null : millis(s.firstOutputNanos() - rec.startNanos));
    fields.put("upstream_ms", s.attempts() == 0 ? null : millis(s.upstreamNanos()));
    fields.put("attempts", s.attempts());
    fields.put("retries", s.retries());
    fields.put("fallbacks", s.fallbacks());
    if (s.requests() > 1) {
      fields.put("turns", s.requests());
    }
    Line record = new Line(fields);
    record.setLoggerName(LOGGER);
    record.setParameters(new Object[] {fields});
    logger.log(record);
  }

  /**
   * The access line's record: its message, the fields as {@code key=value} text after {@value
   * #WORD}, is built on first use, so a formatter that writes the fields themselves (JSON) never
   * pays for it. Fields that are null or "" are left out of the text.
   */
  static final class Line extends LogRecord {
    private final transient Map<String, Object> fields;
    private String text;

    Line(Map<String, Object> fields) {
      super(Level.INFO, WORD);
      this.fields = fields;
    }

    @Override
    public synchronized String getMessage() {
      if (text == null) {
        StringBuilder b = new StringBuilder(384).append(WORD);
        fields.forEach(
            (k, v) -> {
              if (v != null && !"".equals(v)) {
                b.append(' ').append(k).append('=');
                if (v instanceof java.math.BigDecimal d) {
                  b.append(d.toPlainString());
                } else {
                  b.append(v);
                }
              }
            });
        text = b.toString();
      }
      return text;
    }

    @Override
    public synchronized void setMessage(String message) {
      text = message;
    }
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 10_000.0) / 100.0;
  }

  private static String peer(Attributes attributes) {
    SocketAddress address =
        attributes == null ? null : attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (address instanceof InetSocketAddress inet) {
      return inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
    }
    return address == null ? "" : address.toString();
  }
}
