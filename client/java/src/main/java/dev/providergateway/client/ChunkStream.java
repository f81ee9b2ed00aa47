package dev.providergateway.client;

import dev.providergateway.v1.StreamChunk;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The chunks of one {@code Stream} call, read as a blocking iterator.
 *
 * <p>The iterator ends after the chunk whose {@code is_final} is true (the server closes the call
 * right after it). If the call fails, {@link #hasNext()} throws a {@link GatewayException},
 * possibly after some chunks were returned.
 *
 * <p>Lifecycle: the caller owns the stream and must {@link #close()} it, normally with
 * try-with-resources. Closing before the end cancels the gRPC call, which makes the gateway cancel
 * the upstream model request; closing after the end only releases resources. A closed stream simply
 * ends ({@code hasNext()} returns false).
 *
 * <p>Threading: one thread reads; {@link #close()} may be called from any thread, and wakes a
 * reader blocked in {@code hasNext()}, which then returns false. Chunks are pulled from the network
 * one at a time as they are read, so a slow reader slows the server down rather than buffering.
 *
 * <p>It is also an {@link Iterable} for for-each loops, but one that can be iterated only once:
 * {@link #iterator()} returns this object.
 */
public final class ChunkStream implements ChunkIterator {
  private final Iterator<StreamChunk> responses;
  private final Context.CancellableContext context;
  private volatile boolean closed;
  private boolean finished;

  ChunkStream(Iterator<StreamChunk> responses, Context.CancellableContext context) {
    this.responses = responses;
    this.context = context;
  }

  /**
   * Waits for the next chunk or the end of the call.
   *
   * @return true if {@link #next()} has a chunk to return
   * @throws GatewayException if the call failed (not after {@link #close()})
   */
  @Override
  public boolean hasNext() {
    if (finished || closed) {
      return false;
    }
    try {
      if (responses.hasNext()) {
        return true;
      }
      finished = true;
      // Completed normally: nothing to cancel, but the context is still ours to release.
      context.close();
      return false;
    } catch (StatusRuntimeException e) {
      finished = true;
      context.close();
      if (closed) {
        // Our own close() cancelled the call; that is the end the caller asked for.
        return false;
      }
      throw GatewayException.from(e);
    }
  }

  /**
   * Returns the next chunk, waiting for it if needed.
   *
   * @throws NoSuchElementException if the stream has ended or was closed
   * @throws GatewayException if the call failed
   */
  @Override
  public StreamChunk next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the stream has ended");
    }
    try {
      return responses.next();
    } catch (StatusRuntimeException e) {
      // hasNext() already buffered the message, so this is not expected; map it all the same.
      finished = true;
      context.close();
      throw GatewayException.from(e);
    }
  }

  /**
   * Ends the stream. Before the final chunk this cancels the call (and so the upstream request);
   * afterwards it does nothing. Idempotent, and safe to call from any thread.
   */
  @Override
  public void close() {
    closed = true;
    // Cancelling a context whose call already completed is a no-op, so no state check is needed.
    context.close();
  }
}
