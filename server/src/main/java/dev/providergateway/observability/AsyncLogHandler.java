package dev.providergateway.observability;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * A log handler that never makes the logging thread wait on the output: records (the access log,
 * above all) go into a bounded queue that one daemon thread formats and writes in batches every few
 * milliseconds, one {@code write} per batch. The gateway logs from its event loops, and a slow or
 * stuck stderr (a full container log pipe) must not stall them. When the queue is full a record is
 * dropped and counted, and the count is reported in the output.
 *
 * <p>A WARNING or SEVERE record wakes the writer at once instead of waiting for the period. {@link
 * #close()} (JUL's shutdown hook calls it, so what is queued is out before the process exits)
 * writes what is queued; records published after that are written at once.
 */
final class AsyncLogHandler extends Handler {
  static final int CAPACITY = 65_536;
  private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final ArrayBlockingQueue<Queued> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final AtomicLong dropped = new AtomicLong();
  private final OutputStream out;
  private final Thread writer;
  private final List<Queued> batch = new ArrayList<>();
  private volatile boolean closed;

  AsyncLogHandler(OutputStream target) {
    this.out = new BufferedOutputStream(target, 64 * 1024);
    this.writer = new Thread(this::run, "gateway-log-writer");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void publish(LogRecord record) {
    if (!isLoggable(record)) {
      return;
    }
    if (closed) {
      synchronized (this) {
        drain();
        write(record, CallRecord.current());
        flushOut();
      }
      return;
    }
    // The writer thread formats outside the call: the call (request and trace id) goes along.
    if (!queue.offer(new Queued(record, CallRecord.current()))) {
      dropped.incrementAndGet();
    } else if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
      LockSupport.unpark(writer); // out now, not at the next period
    }
  }

  @Override
  public void flush() {
    synchronized (this) {
      drain();
      flushOut();
    }
  }

  @Override
  public void close() {
    closed = true;
    flush();
  }

  /** How many records were dropped because the queue was full. */
  long dropped() {
    return dropped.get();
  }

  private void run() {
    while (!closed) {
      LockSupport.parkNanos(PERIOD_NANOS);
      if (!queue.isEmpty() || dropped.get() > 0) {
        flush();
      }
    }
  }

  /** Writes the queued records; the caller holds the lock. */
  private void drain() {
    while (queue.drainTo(batch, 4096) > 0) {
      for (Queued q : batch) {
        write(q.record(), q.call());
      }
      batch.clear();
    }
    long lost = dropped.getAndSet(0);
    if (lost > 0) {
      LogRecord note =
          new LogRecord(
              Level.WARNING,
              lost
                  + " log records were dropped: the log output did not keep up ("
                  + CAPACITY
                  + " queued)");
      note.setLoggerName(AsyncLogHandler.class.getName());
      write(note, null);
    }
  }

  private void write(LogRecord record, CallRecord call) {
    try {
      String text = CallRecord.formatting(call, () -> getFormatter().format(record));
      out.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      reportError("cannot write a log record", e, ErrorManager.WRITE_FAILURE);
    }
  }

  private record Queued(LogRecord record, CallRecord call) {}

  private void flushOut() {
    try {
      out.flush();
    } catch (IOException e) {
      reportError("cannot flush the log output", e, ErrorManager.FLUSH_FAILURE);
    }
  }
}
