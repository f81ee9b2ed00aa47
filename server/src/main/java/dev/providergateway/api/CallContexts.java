package dev.providergateway.api;

import dev.providergateway.observability.CallRecord;
import dev.providergateway.provider.CallContext;
import io.grpc.Context;
import io.grpc.Deadline;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Builds the {@link CallContext} of the current gRPC call: its request id (the one the edge
 * returned to the caller, shared by a Converse call's turns), its deadline and, when tracing is on,
 * the {@code traceparent} that upstream requests carry.
 */
final class CallContexts {
  private CallContexts() {}

  static CallContext current(Clock clock) {
    Deadline deadline = Context.current().getDeadline();
    Instant at =
        deadline == null
            ? null
            : clock.instant().plusNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS));
    CallRecord call = CallRecord.current();
    return call == null
        ? new CallContext(newRequestId(), at)
        : new CallContext(call.requestId(), at, call.traceparent());
  }

  static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return Long.toHexString(r.nextLong() | Long.MIN_VALUE)
        + Long.toHexString(r.nextLong() | Long.MIN_VALUE);
  }
}
