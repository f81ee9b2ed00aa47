package dev.providergateway.observability;

import dev.providergateway.v1.StreamChunk;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * The outermost interceptor of the gateway's service: gives every call a request id (the caller's
 * {@code x-request-id} when it sends a sane one), returns it in the response headers (or the
 * trailers of a call that fails before sending headers), and hands the finished call, with its
 * status, to {@link Telemetry} for metrics, the access log and its trace span. A call ends exactly
 * once: at {@code close} or, if the caller went away first, at {@code onCancel}; a stream whose
 * final chunk was sent ended OK even when the caller's hang-up beat the trailers.
 */
final class EdgeInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

  private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final Telemetry telemetry;

  /**
   * Each method's bare name, which {@link MethodDescriptor#getBareMethodName} cuts anew per call.
   * Bounded: interceptors see only the server's registered methods.
   */
  private final Map<MethodDescriptor<?, ?>, String> bareNames = new ConcurrentHashMap<>();

  EdgeInterceptor(Telemetry telemetry) {
    this.telemetry = telemetry;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    MethodDescriptor<Q, R> method = call.getMethodDescriptor();
    String incoming = headers.get(REQUEST_ID);
    String id = incoming != null && SANE_ID.matcher(incoming).matches() ? incoming : newRequestId();
    CallRecord record =
        new CallRecord(
            id,
            bareNames.computeIfAbsent(method, MethodDescriptor::getBareMethodName),
            method.getType() != MethodDescriptor.MethodType.UNARY,
            System.nanoTime());
    record = telemetry.started(record, method.getFullMethodName(), headers);
    CallRecord rec = record;
    StreamOutcome outcome = StreamOutcome.current();
    AtomicBoolean finished = new AtomicBoolean();
    var wrapped =
        new SimpleForwardingServerCall<>(call) {
          private volatile boolean headersSent;
          // The stream's final chunk went out: the answer is whole. Set before the chunk is sent,
          // so a caller that reads it and hangs up before the trailers arrive (a client library
          // closing its stream, a Go context cancelled on return) finds it set: that call ended
          // OK, not CANCELLED, for the access log and the metrics alike.
          private volatile boolean answered;

          @Override
          public void sendMessage(R message) {
            if (message instanceof StreamChunk chunk && chunk.getIsFinal()) {
              answered = true;
            }
            super.sendMessage(message);
          }

          @Override
          public void sendHeaders(Metadata responseHeaders) {
            responseHeaders.put(REQUEST_ID, rec.requestId);
            headersSent = true;
            super.sendHeaders(responseHeaders);
          }

          @Override
          public void close(Status status, Metadata trailers) {
            if (!headersSent) {
              trailers.put(REQUEST_ID, rec.requestId);
            }
            boolean first = finished.compareAndSet(false, true);
            if (first) {
              telemetry.closing(); // the client may see the status before the line is written
            }
            try {
              super.close(status, trailers);
            } finally {
              if (first) {
                telemetry.finished(rec, status, trailers, call.getAttributes());
              }
            }
          }
        };
    Context context = Context.current().withValue(CallRecord.KEY, rec);
    ServerCall.Listener<Q> listener = Contexts.interceptCall(context, wrapped, headers, next);
    return EndOfCall.cancel(
        listener,
        () -> {
          if (finished.compareAndSet(false, true)) {
            telemetry.closing();
            telemetry.finished(
                rec,
                wrapped.answered ? Status.OK : StreamOutcome.cancelled(outcome),
                null,
                call.getAttributes());
          }
        });
  }

  /** 32 hex digits. */
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** 32 random hex digits (128 bits): unique enough for correlation, no lock, no formatter. */
  static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] id = new char[32];
    hex(r.nextLong(), id, 0);
    hex(r.nextLong(), id, 16);
    return new String(id);
  }

  private static void hex(long v, char[] into, int at) {
    for (int i = 15; i >= 0; i--) {
      into[at + i] = HEX[(int) (v & 0xf)];
      v >>>= 4;
    }
  }
}
