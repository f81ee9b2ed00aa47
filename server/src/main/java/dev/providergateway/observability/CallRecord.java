package dev.providergateway.observability;

import dev.providergateway.provider.Usage;
import io.grpc.Context;
import java.util.OptionalLong;

/**
 * What the gateway learns about one gRPC call while it runs: its request id, the caller's key id,
 * the provider and model that answered, tokens, and where the time went. The edge interceptor
 * creates it and puts it in the call's gRPC {@link Context}; the service and the dispatcher's
 * {@link GatewayMetrics} fill it in from any thread; the interceptor reads it once the call ends. A
 * Converse call accumulates over its turns.
 */
public final class CallRecord {
  static final Context.Key<CallRecord> KEY = Context.key("providergateway.call");

  final String requestId;
  final String method;
  final boolean streaming;
  final long startNanos;
  private String keyId = "";
  private String requestedProvider = "";
  private String requestedModel = "";
  private String provider = "";
  private String model = "";
  private String deployment = "";
  private long inputTokens;
  private long outputTokens;
  private long cacheReadTokens;
  private long cacheWriteTokens;
  private long reasoningTokens;
  private long estimatedTokens;
  private long costNanos;
  private boolean priced;
  private volatile Meter meter = Meter.NONE;
  private long firstOutputNanos = -1;
  private long upstreamNanos;
  private long backoffNanos;
  private int attempts;
  private int retries;
  private int fallbacks;
  private int requests;
  private int completed;
  Object span;
  // The trace id of the call's span when tracing is on (a span is made for every call, sampled
  // or not, so its id matches the caller's traceparent and any trace exported).
  volatile String traceId;
  private static final ThreadLocal<CallRecord> LOGGED = new ThreadLocal<>();

  CallRecord(String requestId, String method, boolean streaming, long startNanos) {
    this.requestId = requestId;
    this.method = method;
    this.streaming = streaming;
    this.startNanos = startNanos;
  }

  /**
   * Prices and charges what one upstream attempt consumed (to the key's rate limit and budget, and
   * the usage book); the edge hooks set it when they admit a request.
   */
  public interface Meter {
    /** Charges nothing and knows no prices. */
    Meter NONE = (provider, model, usage, estimated) -> OptionalLong.empty();

    /** Charges {@code usage}; returns its cost in billionths of the currency, empty if unpriced. */
    OptionalLong charge(String provider, String model, Usage usage, boolean estimated);
  }

  /** The record of the call whose context is current, or null outside a gateway call. */
  public static CallRecord current() {
    return KEY.get();
  }

  /**
   * The call a log record being formatted on this thread was written for: the one {@link
   * AsyncLogHandler} captured when the record was published (its writer thread formats outside any
   * call), else the current one.
   */
  static CallRecord forLog() {
    CallRecord logged = LOGGED.get();
    return logged != null ? logged : current();
  }

  /** Runs {@code format} with {@link #forLog()} answering {@code call}. */
  static <T> T formatting(CallRecord call, java.util.function.Supplier<T> format) {
    if (call == null) {
      return format.get();
    }
    LOGGED.set(call);
    try {
      return format.get();
    } finally {
      LOGGED.remove();
    }
  }

  /** The call's trace id when tracing is on, else null. */
  String traceId() {
    return traceId;
  }

  /**
   * The W3C {@code traceparent} of the call's server span, to send upstream so a provider-side
   * trace joins the caller's; null when tracing is off.
   */
  public String traceparent() {
    Object s = span;
    return s == null ? null : CallTracing.traceparent(s);
  }

  /** The call's request id (also sent to the caller as {@code x-request-id}). */
  public String requestId() {
    return requestId;
  }

  /** The caller's key id, known before admission, so a refused request's log line names it too. */
  public synchronized void caller(String keyId) {
    this.keyId = keyId;
  }

  /** How this call's consumption is charged from now on. */
  public void meter(Meter meter) {
    this.meter = meter;
  }

  /** The caller's key id ("" when auth is off or before authentication). */
  public synchronized String keyId() {
    return keyId;
  }

  /** A request (Chat, Stream or a Converse turn) was admitted for {@code keyId} ("" = auth off). */
  public synchronized void admitted(String keyId, String provider, String model) {
    this.keyId = keyId;
    this.requestedProvider = provider;
    this.requestedModel = model;
    requests++;
  }

  /** A request's first streamed output, at {@code nanos} ({@link System#nanoTime()}). */
  public synchronized void firstOutput(long nanos) {
    if (firstOutputNanos < 0) {
      firstOutputNanos = nanos;
    }
  }

  /** A request succeeded; its tokens were counted by {@link #consumed}. */
  public synchronized void completed(String provider, String model) {
    this.provider = provider;
    this.model = model;
    completed++;
  }

  /**
   * An upstream attempt consumed {@code usage} at {@code provider} and {@code model}, whatever its
   * outcome: counted here and charged through the {@link Meter}. Returns the cost, if priced.
   */
  OptionalLong consumed(String provider, String model, Usage usage, boolean estimated) {
    if (usage.totalTokens() <= 0) {
      return OptionalLong.empty();
    }
    OptionalLong cost = meter.charge(provider, model, usage, estimated);
    synchronized (this) {
      inputTokens += usage.promptTokens();
      outputTokens += usage.completionTokens();
      cacheReadTokens += usage.cacheReadTokens();
      cacheWriteTokens += usage.cacheWriteTokens();
      reasoningTokens += usage.reasoningTokens();
      if (estimated) {
        estimatedTokens += usage.totalTokens();
      }
      if (cost.isPresent()) {
        costNanos += cost.getAsLong();
        priced = true;
      }
    }
    return cost;
  }

  synchronized void attemptEnded(long nanos, String deployment) {
    this.deployment = deployment;
    attempts++;
    upstreamNanos += nanos;
  }

  synchronized void retried(long backoff) {
    retries++;
    backoffNanos += backoff;
  }

  synchronized void fellBack() {
    fallbacks++;
  }

  /** An immutable copy, for the metrics and the access log. */
  synchronized Snapshot snapshot() {
    return new Snapshot(
        keyId,
        requestedProvider,
        requestedModel,
        provider,
        model,
        deployment,
        inputTokens,
        outputTokens,
        firstOutputNanos,
        upstreamNanos,
        backoffNanos,
        attempts,
        retries,
        fallbacks,
        requests,
        completed,
        cacheReadTokens,
        cacheWriteTokens,
        reasoningTokens,
        estimatedTokens,
        priced ? costNanos : -1);
  }

  /** The record's state at the end of the call. */
  record Snapshot(
      String keyId,
      String requestedProvider,
      String requestedModel,
      String provider,
      String model,
      String deployment,
      long inputTokens,
      long outputTokens,
      long firstOutputNanos,
      long upstreamNanos,
      long backoffNanos,
      int attempts,
      int retries,
      int fallbacks,
      int requests,
      int completed,
      long cacheReadTokens,
      long cacheWriteTokens,
      long reasoningTokens,
      long estimatedTokens,
      long costNanos) {

    /** Whether any of the counted tokens were estimated by the gateway. */
    boolean estimated() {
      return estimatedTokens > 0;
    }
  }
}
