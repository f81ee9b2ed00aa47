package dev.providergateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class AsyncLogHandlerTest {
  private static final Formatter PLAIN =
      new Formatter() {
        @Override
        public String format(LogRecord record) {
          return record.getLevel() + " " + record.getMessage() + "\n";
        }
      };

  @Test
  void publish_info_writtenInOrderByTheWriterThread() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AsyncLogHandler handler = handler(out);
    for (int i = 0; i < 100; i++) {
      handler.publish(new LogRecord(Level.INFO, "line " + i));
    }

    assertThat(await(() -> text(out).split("\n").length == 100)).as(text(out)).isTrue();
    assertThat(text(out)).startsWith("INFO line 0\nINFO line 1\n").endsWith("INFO line 99\n");
    handler.close();
  }

  @Test
  void publish_warning_wakesTheWriterAndKeepsTheOrder() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AsyncLogHandler handler = handler(out);
    handler.publish(new LogRecord(Level.INFO, "before"));
    handler.publish(new LogRecord(Level.WARNING, "failure"));

    assertThat(await(() -> text(out).contains("failure"))).isTrue();
    assertThat(text(out)).isEqualTo("INFO before\nWARNING failure\n");
    handler.close();
  }

  @Test
  void publish_warningWhileTheOutputIsStuck_doesNotBlock() throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    AsyncLogHandler handler = handler(stuckUntil(unblock, new ByteArrayOutputStream()));
    handler.publish(new LogRecord(Level.WARNING, "first: the writer blocks on it"));
    Thread.sleep(50);

    long start = System.nanoTime();
    for (int i = 0; i < 1000; i++) {
      handler.publish(new LogRecord(Level.SEVERE, "more"));
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    unblock.countDown();
    handler.close();
  }

  @Test
  void publish_outputStuck_neverBlocksAndCountsWhatItDrops() throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    AsyncLogHandler handler = handler(stuckUntil(unblock, written));
    int total = AsyncLogHandler.CAPACITY * 2 + 10_000;

    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      handler.publish(new LogRecord(Level.INFO, "x".repeat(100)));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took).as("publishing while the output is stuck").isLessThan(Duration.ofSeconds(5));
    assertThat(handler.dropped()).isPositive();
    unblock.countDown();
    handler.close();
    String text;
    synchronized (written) {
      text = written.toString(StandardCharsets.UTF_8);
    }
    assertThat(text).contains("log records were dropped: the log output did not keep up");
  }

  @Test
  void close_writesWhatIsQueuedAndLaterRecordsAtOnce() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AsyncLogHandler handler = handler(out);
    handler.publish(new LogRecord(Level.INFO, "queued"));
    handler.close();
    assertThat(text(out)).isEqualTo("INFO queued\n");

    handler.publish(new LogRecord(Level.INFO, "after close"));
    assertThat(text(out)).isEqualTo("INFO queued\nINFO after close\n");
  }

  /** An output whose writes block until {@code unblock} opens, then go to {@code sink}. */
  private static OutputStream stuckUntil(CountDownLatch unblock, ByteArrayOutputStream sink) {
    return new OutputStream() {
      @Override
      public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        try {
          unblock.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        synchronized (sink) {
          sink.write(b, off, len);
        }
      }
    };
  }

  private static AsyncLogHandler handler(OutputStream out) {
    AsyncLogHandler handler = new AsyncLogHandler(out);
    handler.setFormatter(PLAIN);
    handler.setLevel(Level.ALL);
    return handler;
  }

  private static String text(ByteArrayOutputStream out) {
    synchronized (out) {
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  private static boolean await(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(5);
    }
    return condition.getAsBoolean();
  }
}
