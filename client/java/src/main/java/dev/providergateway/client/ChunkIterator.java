package dev.providergateway.client;

import dev.providergateway.v1.StreamChunk;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Chunks of one streamed completion, read once, in order: a {@code Stream} call or one {@code
 * Converse} turn. {@link #close()} before the end stops the stream (and so the upstream request).
 * Reading is for one thread; {@code close()} may be called from any thread.
 */
public interface ChunkIterator extends Iterator<StreamChunk>, Iterable<StreamChunk>, AutoCloseable {

  /** Returns this iterator, for for-each loops; it can be iterated only once. */
  @Override
  default Iterator<StreamChunk> iterator() {
    return this;
  }

  /** Returns the remaining chunks as a sequential {@link Stream}; closing it closes this. */
  default Stream<StreamChunk> stream() {
    Spliterator<StreamChunk> spliterator =
        Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL);
    return StreamSupport.stream(spliterator, false).onClose(this::close);
  }

  /** Ends the stream; idempotent. */
  @Override
  void close();
}
