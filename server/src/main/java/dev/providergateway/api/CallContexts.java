package dev.providergateway.api;

import dev.providergateway.provider.CallContext;
import io.grpc.Context;
import io.grpc.Deadline;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Builds the {@link CallContext} of the current gRPC call: a request id and its deadline. */
final class CallContexts {
  private CallContexts() {}

  static CallContext current(Clock clock) {
    Deadline deadline = Context.current().getDeadline();
    Instant at = deadline == null ? null : clock.instant().plusNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS));
    return new CallContext(newRequestId(), at);
  }

  static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Long.toHexString(r.nextLong() | Long.MIN_VALUE);
  }
}
