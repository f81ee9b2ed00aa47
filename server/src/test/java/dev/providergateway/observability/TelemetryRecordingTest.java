package dev.providergateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A shutdown waits for the calls whose status already went out but whose access line is not written
 * yet (the line follows the close), so a drain's last calls keep their lines.
 */
class TelemetryRecordingTest {

  @Test
  void awaitRecorded_waitsUntilEveryClosingCallIsRecorded() throws Exception {
    Telemetry telemetry = Telemetry.disabled();
    assertThat(telemetry.awaitRecorded(Duration.ZERO)).isTrue();

    CallRecord rec = new CallRecord("r1", "Stream", true, System.nanoTime());
    telemetry.closing();
    assertThat(telemetry.awaitRecorded(Duration.ofMillis(50)))
        .as("a closing call not yet recorded holds the shutdown")
        .isFalse();

    CompletableFuture<Boolean> waiter =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return telemetry.awaitRecorded(Duration.ofSeconds(30));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
              }
            });
    Thread.sleep(100);
    assertThat(waiter).isNotDone();
    telemetry.finished(rec, Status.OK, new Metadata(), Attributes.EMPTY);
    assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(telemetry.awaitRecorded(Duration.ZERO)).isTrue();
  }
}
