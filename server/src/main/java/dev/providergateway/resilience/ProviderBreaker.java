package dev.providergateway.resilience;

import static java.util.Objects.requireNonNull;

import dev.providergateway.config.BreakerConfig;
import dev.providergateway.provider.CircuitOpenException;
import dev.providergateway.provider.GatewayException;
import dev.providergateway.provider.ProviderException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One provider's circuit breaker: a Resilience4j {@link CircuitBreaker} with Victor's semantics. It
 * opens after {@code failureThreshold} consecutive counted failures, stays open for {@code
 * openDuration}, then admits {@code halfOpenCalls} trial calls; {@code halfOpenSuccessesToClose}
 * successes close it and any counted failure reopens it.
 *
 * <p>Resilience4j decides half-open outcomes only after every trial call finished, by failure rate;
 * Victor's "two successes close, one failure reopens" is applied here on top through its explicit
 * state transitions.
 *
 * <p>Only upstream failures count: {@link ProviderException}s other than auth, model-not-found and
 * other 4xx rejections (which say the request, not the provider, was wrong) and rate limits (which
 * say it is busy), plus unexpected provider bugs. The dispatcher keeps one breaker per deployment
 * and counts one call at most once toward each, however many attempts it made. Caller errors and
 * cancellations never count. Thread-safe.
 */
public final class ProviderBreaker {
  private static final System.Logger LOG = System.getLogger(ProviderBreaker.class.getName());

  /** The breaker's state, as {@code ListProviders} shows it. */
  public enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  private final String provider;
  private final CircuitBreaker breaker;
  private final Duration openDuration;
  private final int successesToClose;
  private final Clock clock;
  private final AtomicInteger halfOpenSuccesses = new AtomicInteger();
  private volatile Instant openedAt = Instant.MIN;

  /** Creates a closed breaker for {@code provider}; {@code clock} drives the open period. */
  public ProviderBreaker(String provider, BreakerConfig config, Clock clock) {
    this.provider = requireNonNull(provider, "provider");
    this.clock = requireNonNull(clock, "clock");
    this.openDuration = config.openDuration();
    this.successesToClose = config.halfOpenSuccessesToClose();
    CircuitBreakerConfig r4j =
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(config.failureThreshold())
            .minimumNumberOfCalls(config.failureThreshold())
            // 100% over a window of N calls means N consecutive failures.
            .failureRateThreshold(100f)
            .waitDurationInOpenState(config.openDuration())
            .permittedNumberOfCallsInHalfOpenState(config.halfOpenCalls())
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            .writableStackTraceEnabled(false)
            .clock(clock)
            .build();
    this.breaker = CircuitBreaker.of(provider, r4j);
    breaker
        .getEventPublisher()
        .onStateTransition(
            event -> {
              CircuitBreaker.State to = event.getStateTransition().getToState();
              if (to == CircuitBreaker.State.OPEN) {
                openedAt = clock.instant();
              }
              halfOpenSuccesses.set(0);
              LOG.log(
                  Level.WARNING,
                  "circuit breaker of provider ''{0}'': {1}",
                  provider,
                  event.getStateTransition());
            });
  }

  /** The current state. */
  public State state() {
    return switch (breaker.getState()) {
      case OPEN, FORCED_OPEN -> State.OPEN;
      case HALF_OPEN -> State.HALF_OPEN;
      default -> State.CLOSED;
    };
  }

  /**
   * Takes a permission for one call to {@code model}, or throws {@link CircuitOpenException} with
   * the time left until trial calls are admitted.
   */
  public Permit acquire(String model) {
    if (!breaker.tryAcquirePermission()) {
      throw refusal(model);
    }
    return new Permit(clock.instant());
  }

  /** The refusal {@link #acquire} throws while the circuit is open, without asking the breaker. */
  public CircuitOpenException refusal(String model) {
    Duration left = Duration.between(clock.instant(), openedAt.plus(openDuration));
    // In half-open with every trial slot taken, the answer is known within about a second.
    Duration retryAfter = left.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : left;
    return new CircuitOpenException(provider, model, retryAfter);
  }

  /**
   * True when the breaker would admit a call now: closed, half-open, or open with its open period
   * over (the next {@link #acquire} moves it to half-open). Takes no permission.
   */
  public boolean admitsCalls() {
    return state() != State.OPEN || !clock.instant().isBefore(openedAt.plus(openDuration));
  }

  /**
   * True when {@code failure} says the upstream is unhealthy, as opposed to the request wrong or
   * the upstream busy: rate limits and quota errors do not count (cooldowns handle them).
   */
  public static boolean counts(Throwable failure) {
    if (failure instanceof ProviderException e) {
      return !(e instanceof ProviderException.Auth
          || e instanceof ProviderException.ModelNotFound
          || e instanceof ProviderException.Rejected
          || e instanceof ProviderException.RateLimited
          || e instanceof ProviderException.QuotaExceeded);
    }
    return !(failure instanceof GatewayException);
  }

  /**
   * The permission of one call. Exactly one of {@link #success()}, {@link #failure} or {@link
   * #release()} takes effect; later calls are ignored, so every path may settle it safely.
   */
  public final class Permit {
    private final Instant start;
    private final AtomicBoolean settled = new AtomicBoolean();

    private Permit(Instant start) {
      this.start = start;
    }

    /** The call succeeded (or produced output before the caller cancelled). */
    public void success() {
      if (settled.compareAndSet(false, true)) {
        breaker.onSuccess(elapsedNanos(), TimeUnit.NANOSECONDS);
        if (breaker.getState() == CircuitBreaker.State.HALF_OPEN
            && halfOpenSuccesses.incrementAndGet() >= successesToClose) {
          breaker.transitionToClosedState();
        }
      }
    }

    /** The call failed; counted only when {@code cause} says the upstream is unhealthy. */
    public void failure(Throwable cause) {
      if (!counts(cause)) {
        release();
        return;
      }
      if (settled.compareAndSet(false, true)) {
        boolean wasHalfOpen = breaker.getState() == CircuitBreaker.State.HALF_OPEN;
        breaker.onError(elapsedNanos(), TimeUnit.NANOSECONDS, cause);
        // Resilience4j may already have judged the finished trial window and closed: any trial
        // failure reopens, whatever the window's failure rate.
        if (wasHalfOpen && breaker.getState() != CircuitBreaker.State.OPEN) {
          breaker.transitionToOpenState();
        }
      }
    }

    /** The call ended without a verdict on the upstream (cancelled, or the request was wrong). */
    public void release() {
      if (settled.compareAndSet(false, true)) {
        breaker.releasePermission();
      }
    }

    private long elapsedNanos() {
      return Math.max(0, Duration.between(start, clock.instant()).toNanos());
    }
  }
}
