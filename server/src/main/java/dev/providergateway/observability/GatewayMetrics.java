package dev.providergateway.observability;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ErrorReason;
import dev.providergateway.provider.Usage;
import java.time.Duration;

/**
 * What the dispatcher reports about upstream work, so the gateway can export it as metrics and
 * trace spans: each upstream attempt, retries with their backoff, and fallbacks between route
 * targets. Calls are matched to the gRPC call they serve by {@link CallContext#requestId()}.
 *
 * <p>Every method is cheap and never throws; implementations are thread-safe. {@link #NOOP} is the
 * default when telemetry is off.
 */
public interface GatewayMetrics {
  /** Reports nothing. */
  GatewayMetrics NOOP = new GatewayMetrics() {};

  /**
   * An upstream attempt begins: call it right before {@code provider.chat()} or {@code
   * provider.stream()} and end the returned handle exactly once.
   *
   * @param provider the registry name of the provider called
   * @param model the model sent upstream
   * @param attempt 1 for the first attempt at this target, 2 for the first retry, ...
   */
  default UpstreamAttempt upstreamAttempt(
      CallContext call, String provider, String model, int attempt) {
    return UpstreamAttempt.NOOP;
  }

  /**
   * As {@link #upstreamAttempt(CallContext, String, String, int)}, naming the provider's deployment
   * that serves the attempt ({@code default} for a provider without deployments).
   */
  default UpstreamAttempt upstreamAttempt(
      CallContext call, String provider, String deployment, String model, int attempt) {
    return upstreamAttempt(call, provider, model, attempt);
  }

  /**
   * A failed attempt will be retried after {@code backoff} (time the gateway spends waiting, which
   * is not counted as gateway overhead).
   */
  default void retry(
      CallContext call, String provider, String model, ErrorReason reason, Duration backoff) {}

  /**
   * The call leaves route target {@code fromProvider} for {@code toProvider} after {@code reason}.
   */
  default void fallback(
      CallContext call, String fromProvider, String toProvider, ErrorReason reason) {}

  /** One upstream attempt; end it exactly once. */
  interface UpstreamAttempt {
    /** Ends nothing. */
    UpstreamAttempt NOOP =
        new UpstreamAttempt() {
          @Override
          public void firstToken() {}

          @Override
          public void end(Throwable failure) {}
        };

    /** The first event of a streamed attempt arrived (text, reasoning or a tool-call delta). */
    void firstToken();

    /**
     * The attempt consumed {@code usage} of {@code model} (as the upstream named it, else as sent):
     * reported at most once per attempt, before {@link #end}, whatever its outcome, so completed,
     * failed, cancelled and retried attempts are all charged.
     *
     * @param estimated true when the upstream reported no usage and the gateway estimated it
     */
    default void consumed(String model, Usage usage, boolean estimated) {}

    /**
     * The attempt ended: {@code failure} is null on success, a {@link
     * java.util.concurrent.CancellationException} when the caller cancelled, else the failure.
     */
    void end(Throwable failure);
  }
}
