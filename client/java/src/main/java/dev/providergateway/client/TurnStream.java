package dev.providergateway.client;

import dev.providergateway.v1.StreamChunk;
import io.grpc.Status;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The chunks of one turn of a {@link ConverseSession}, read as a blocking iterator.
 *
 * <p>The iterator ends after the turn's chunk whose {@code is_final} is true. If the turn fails,
 * in-band or because the whole call failed, {@link #hasNext()} throws a {@link GatewayException};
 * other turns are not affected by an in-band failure.
 *
 * <p>Lifecycle: the caller owns the turn and should {@link #close()} it, normally with
 * try-with-resources. Closing a turn that has not finished sends {@code CancelTurn} for it (unless
 * the session is already closed or cancelled, when nothing more can be sent); closing a finished
 * turn does nothing. A closed turn simply ends ({@code hasNext()} returns false). Its id stays
 * reserved until the server confirms the end of the turn.
 *
 * <p>Threading: one thread reads; {@link #close()} may be called from any thread and wakes a reader
 * blocked in {@code hasNext()}. Chunks that arrive before they are read are buffered.
 *
 * <p>It is also an {@link Iterable} for for-each loops, but one that can be iterated only once:
 * {@link #iterator()} returns this object.
 */
public final class TurnStream implements ChunkIterator {
  /** Wakes a reader blocked in take() after close(). */
  private static final Object CLOSED = new Object();

  private final String turnId;
  private final ConverseSession session;
  // Holds StreamChunk, com.google.rpc.Status (in-band error), Throwable (call failure) or CLOSED.
  // Failures are turned into exceptions on the reader's thread, so their stack traces show the
  // caller's code rather than gRPC's.
  private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
  private volatile boolean ended;
  private volatile boolean closed;

  // Reader-thread state.
  private StreamChunk pending;
  private boolean finished;

  TurnStream(String turnId, ConverseSession session) {
    this.turnId = turnId;
    this.session = session;
  }

  /** Returns the client-chosen id of this turn. */
  public String turnId() {
    return turnId;
  }

  /**
   * Waits for the turn's next chunk or its end.
   *
   * @return true if {@link #next()} has a chunk to return
   * @throws GatewayException if the turn failed (not after {@link #close()}), or if the thread was
   *     interrupted while waiting (code {@code CANCELLED}; the turn is then closed)
   */
  @Override
  public boolean hasNext() {
    if (pending != null) {
      return true;
    }
    while (!finished) {
      if (closed) {
        finished = true;
        break;
      }
      Object event;
      try {
        event = events.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw GatewayException.local(Status.Code.CANCELLED, "interrupted while waiting", e);
      }
      if (event instanceof StreamChunk chunk) {
        pending = chunk;
        finished = chunk.getIsFinal();
        return true;
      }
      if (event instanceof com.google.rpc.Status error) {
        finished = true;
        if (!closed) {
          throw GatewayException.fromStatus(error);
        }
      } else if (event instanceof Throwable failure) {
        finished = true;
        if (!closed) {
          throw GatewayException.from(failure);
        }
      }
      // CLOSED: loop to observe the flag.
    }
    return false;
  }

  /**
   * Returns the turn's next chunk, waiting for it if needed.
   *
   * @throws NoSuchElementException if the turn has ended or was closed
   * @throws GatewayException if the turn failed
   */
  @Override
  public StreamChunk next() {
    if (!hasNext()) {
      throw new NoSuchElementException("turn " + turnId + " has ended");
    }
    StreamChunk chunk = pending;
    pending = null;
    return chunk;
  }

  /**
   * Ends the turn for this reader: sends {@code CancelTurn} if the server has not ended the turn
   * yet, and makes the iterator end. Idempotent, and safe to call from any thread.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // If the turn ends between this check and the send, the server ignores the CancelTurn.
    if (!ended) {
      session.cancelTurn(turnId);
    }
    events.offer(CLOSED);
  }

  /** Called by the session, under its state lock, when the turn's last message arrives. */
  void markEnded() {
    ended = true;
  }

  void deliverChunk(StreamChunk chunk) {
    events.offer(chunk);
  }

  void deliverError(com.google.rpc.Status error) {
    events.offer(error);
  }

  void deliverFailure(Throwable failure) {
    events.offer(failure);
  }

  @Override
  public String toString() {
    return "TurnStream{turnId=" + turnId + ", ended=" + ended + ", closed=" + closed + "}";
  }
}
