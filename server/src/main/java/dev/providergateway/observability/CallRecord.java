package dev.providergateway.observability;

import io.grpc.Context;

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
  private long inputTokens;
  private long outputTokens;
  private long firstOutputNanos = -1;
  private long upstreamNanos;
  private long backoffNanos;
  private int attempts;
  private int retries;
  private int fallbacks;
  private int requests;
  private int completed;
  Object span;

  CallRecord(String requestId, String method, boolean streaming, long startNanos) {
    this.requestId = requestId;
    this.method = method;
    this.streaming = streaming;
    this.startNanos = startNanos;
  }

  /** The record of the call whose context is current, or null outside a gateway call. */
  public static CallRecord current() {
    return KEY.get();
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

  /** A request succeeded. */
  public synchronized void completed(
      String provider, String model, long inputTokens, long outputTokens) {
    this.provider = provider;
    this.model = model;
    this.inputTokens += inputTokens;
    this.outputTokens += outputTokens;
    completed++;
  }

  synchronized void attemptEnded(long nanos) {
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
        inputTokens,
        outputTokens,
        firstOutputNanos,
        upstreamNanos,
        backoffNanos,
        attempts,
        retries,
        fallbacks,
        requests,
        completed);
  }

  /** The record's state at the end of the call. */
  record Snapshot(
      String keyId,
      String requestedProvider,
      String requestedModel,
      String provider,
      String model,
      long inputTokens,
      long outputTokens,
      long firstOutputNanos,
      long upstreamNanos,
      long backoffNanos,
      int attempts,
      int retries,
      int fallbacks,
      int requests,
      int completed) {}
}
