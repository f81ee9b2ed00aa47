package dev.providergateway.observability;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The per-call logging cost: one access line (its fields, its record and the JSON or text
 * formatter), the log timestamp, and the request id, each against what it replaced or could be.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AccessLineBenchmark {
  private final JsonLogFormatter json = new JsonLogFormatter();
  private final TextLogFormatter text = new TextLogFormatter();
  private long millis = System.currentTimeMillis();

  /** The fields AccessLog writes for a typical unary call, in its order. */
  static Map<String, Object> fields(int capacity) {
    Map<String, Object> f = capacity > 0 ? new LinkedHashMap<>(capacity) : new LinkedHashMap<>();
    f.put("request_id", "4f1c2a9be07d4c55a1b2c3d4e5f60718");
    f.put("method", "Chat");
    f.put("peer", "127.0.0.1");
    f.put("key_id", "team-a");
    f.put("provider", "mock");
    f.put("model", "bench-t16");
    f.put("deployment", "");
    f.put("status", "OK");
    f.put("reason", "");
    f.put("input_tokens", 19L);
    f.put("output_tokens", 16L);
    f.put("cache_read_tokens", 0L);
    f.put("cache_write_tokens", 0L);
    f.put("reasoning_tokens", 0L);
    f.put("cost", BigDecimal.valueOf(12_345, 9).stripTrailingZeros());
    f.put("currency", "USD");
    f.put("estimated", false);
    f.put("duration_ms", 0.42);
    f.put("ttft_ms", null);
    f.put("upstream_ms", 0.31);
    f.put("attempts", 1);
    f.put("retries", 0);
    f.put("fallbacks", 0);
    return f;
  }

  /** The access line as written now: a lazy-text record through the JSON formatter. */
  @Benchmark
  public String accessLineJson() {
    Map<String, Object> f = fields(48);
    AccessLog.Line record = new AccessLog.Line(f);
    record.setLoggerName(AccessLog.LOGGER);
    record.setParameters(new Object[] {f});
    return json.format(record);
  }

  /** As before: the key=value text built for every line, then the JSON formatter. */
  @Benchmark
  public String accessLineJsonEagerText() {
    Map<String, Object> f = fields(0);
    StringBuilder t = new StringBuilder("access");
    f.forEach(
        (k, v) -> {
          if (v != null && !"".equals(v)) {
            t.append(' ').append(k).append('=').append(v instanceof BigDecimal d ? d.toPlainString() : v);
          }
        });
    LogRecord record = new LogRecord(Level.INFO, t.toString());
    record.setLoggerName(AccessLog.LOGGER);
    record.setParameters(new Object[] {f});
    return json.format(record);
  }

  /** The access line through the text formatter (which builds the key=value text). */
  @Benchmark
  public String accessLineText() {
    Map<String, Object> f = fields(48);
    AccessLog.Line record = new AccessLog.Line(f);
    record.setLoggerName(AccessLog.LOGGER);
    record.setParameters(new Object[] {f});
    return text.format(record);
  }

  /** The log timestamp now: the cached second plus the milliseconds. */
  @Benchmark
  public String timeLogTime() {
    return LogTime.format(++millis);
  }

  /** The log timestamp before: an Instant and ISO_INSTANT per line. */
  @Benchmark
  public String timeInstantToString() {
    return Instant.ofEpochMilli(++millis).toString();
  }

  /** The request id as made (128 random bits from ThreadLocalRandom as 32 hex digits). */
  @Benchmark
  public String requestId() {
    return EdgeInterceptor.newRequestId();
  }

  /** A random UUID, for comparison (SecureRandom behind it). */
  @Benchmark
  public String requestIdUuid() {
    return UUID.randomUUID().toString();
  }
}
