package dev.providergateway.provider;

import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-chunk cost of one {@link EventPublisher} hop as a stream uses it: the subscriber asks
 * for one item at a time (as the gateway's relay does, following gRPC readiness) and the producer
 * emits while that demand is outstanding. A relayed chunk crosses three such hops (provider,
 * assembler, caller).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EventPublisherBenchmark {
  private EventPublisher<Object> publisher;
  private final Object item = new Object();

  @Setup
  public void setUp(Blackhole bh) {
    publisher = new EventPublisher<>(p -> {});
    publisher.subscribe(
        new Flow.Subscriber<>() {
          private Flow.Subscription s;

          @Override
          public void onSubscribe(Flow.Subscription subscription) {
            s = subscription;
            s.request(1);
          }

          @Override
          public void onNext(Object o) {
            bh.consume(o);
            s.request(1);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onComplete() {}
        });
  }

  /** One item emitted with demand outstanding, delivered, and demand asked again. */
  @Benchmark
  public void emitWithDemand() {
    publisher.emit(item);
  }

  /** A whole stream's publisher: made, subscribed, one item, completed. */
  @Benchmark
  public void publisherLifecycle(Blackhole bh) {
    EventPublisher<Object> p =
        new EventPublisher<>(
            out -> {
              out.onCancel(() -> {});
              out.onDemand(() -> {});
              out.emit(item);
              out.complete();
            });
    p.subscribe(
        new Flow.Subscriber<>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            s.request(1);
          }

          @Override
          public void onNext(Object o) {
            bh.consume(o);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onComplete() {}
        });
  }
}
