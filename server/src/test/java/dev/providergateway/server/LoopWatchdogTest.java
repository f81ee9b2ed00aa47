package dev.providergateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoopWatchdogTest {
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Logger logger = Logger.getLogger(LoopWatchdog.class.getName());
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private final EventLoopGroup loops =
      new MultiThreadIoEventLoopGroup(
          2, new DefaultThreadFactory("watched-loop", true), NioIoHandler.newFactory());
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void listen() {
    logger.addHandler(capture);
  }

  @AfterEach
  void stop() {
    logger.removeHandler(capture);
    scheduler.shutdownNow();
    loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
  }

  @Test
  void blockedLoop_warnsOnceWithWhereItIsBlocked_thenNotesItRunsAgain() throws Exception {
    try (LoopWatchdog watchdog = new LoopWatchdog(loops, scheduler, Duration.ofMillis(200))) {
      Thread.sleep(100); // every loop has run a probe: the watchdog knows their threads
      CountDownLatch release = new CountDownLatch(1);
      loops.next().execute(() -> blockingPluginCall(release));

      assertThat(await(() -> warnings().size() == 1)).as("a warning").isTrue();
      String warning = warnings().get(0).getMessage();
      assertThat(warning)
          .startsWith("event loop watched-loop-")
          .contains("has run one task for")
          .contains("every call on it is stalled")
          .contains("server.executor_threads")
          .contains("LoopWatchdogTest.blockingPluginCall");

      Thread.sleep(400);
      assertThat(warnings()).as("one warning per stall").hasSize(1);
      release.countDown();
      assertThat(await(() -> records.stream().anyMatch(r -> r.getMessage().endsWith("runs again"))))
          .isTrue();
    }
  }

  @Test
  void idleAndBusyLoops_noWarning() throws Exception {
    try (LoopWatchdog watchdog = new LoopWatchdog(loops, scheduler, Duration.ofMillis(200))) {
      for (int i = 0; i < 2000; i++) {
        loops.next().execute(() -> Thread.onSpinWait()); // many short tasks are not a stall
      }
      Thread.sleep(700);
    }
    assertThat(warnings()).isEmpty();
  }

  private static void blockingPluginCall(CountDownLatch release) {
    try {
      release.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<LogRecord> warnings() {
    return records.stream().filter(r -> r.getLevel() == Level.WARNING).toList();
  }

  private static boolean await(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(10);
    }
    return false;
  }
}
