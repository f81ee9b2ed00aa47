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
 * returned to the caller, shared by a Converse call's turns) and its deadline.
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
    return new CallContext(call == null ? newRequestId() : call.requestId(), at);
  }

  static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return Long.toHexString(r.nextLong() | Long.MIN_VALUE)
        + Long.toHexString(r.nextLong() | Long.MIN_VALUE);
  }
}
