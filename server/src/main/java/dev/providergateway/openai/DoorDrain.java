package dev.providergateway.openai;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The door's side of a graceful shutdown: which connections are open, how many calls are in flight,
 * and whether the door is draining. While it drains, a new request (on a kept-alive connection or a
 * new HTTP/2 stream) is refused with 503 and {@code Connection: close}, and a call that ends
 * answers with {@code Connection: close}; calls already running go on until {@link #awaitIdle}
 * returns, then {@link #cancelRemaining} cancels what is left and closes every connection.
 *
 * <p>Thread-safe: the counters are atomic; per-connection work runs on the connection's event loop
 * (a {@link #CANCEL} event through its pipeline).
 */
final class DoorDrain {
  /** The user event that cancels a connection's running call (see {@link DoorHandler}). */
  static final Object CANCEL = new Object();

  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean draining;

  /** Tracks {@code connection} until it closes. */
  void opened(Channel connection) {
    connections.add(connection);
  }

  /** A call started on some connection; {@link #callEnded()} follows exactly once. */
  void callStarted() {
    inFlight.incrementAndGet();
  }

  void callEnded() {
    inFlight.decrementAndGet();
  }

  /** Calls now in flight. */
  int inFlight() {
    return inFlight.get();
  }

  /** Whether new requests are refused. */
  boolean draining() {
    return draining;
  }

  /** From now on new requests are refused (the listening socket is closed by the door). */
  void start() {
    draining = true;
  }

  /**
   * Blocks until no call is in flight or {@code within} has passed; true if none is left.
   * Connections without a call are closed once none is left.
   */
  boolean awaitIdle(Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (inFlight.get() > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      // Shutdown only: a short poll is simpler than a signal from every call's end.
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
    }
    return true;
  }

  /**
   * Cancels every call still running (the upstream request is cancelled; a stream ends with an
   * error event; a unary call is answered 503) and closes every connection, waiting up to {@code
   * within} for them to close.
   */
  void cancelRemaining(Duration within) {
    for (Channel c : connections) {
      c.pipeline().fireUserEventTriggered(CANCEL);
    }
    connections.close().awaitUninterruptibly(within.toMillis());
  }
}
