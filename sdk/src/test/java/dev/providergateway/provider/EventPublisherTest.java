package dev.providergateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EventPublisherTest {

  /** Records every signal in order, as strings, plus the items and the terminal signal. */
  private static class Recorder<T> implements Flow.Subscriber<T> {
    final List<T> items = Collections.synchronizedList(new ArrayList<>());
    final List<String> signals = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger completions = new AtomicInteger();
    final AtomicInteger errors = new AtomicInteger();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    final CountDownLatch terminated = new CountDownLatch(1);
    volatile Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      signals.add("subscribe");
    }

    @Override
    public void onNext(T item) {
      items.add(item);
      signals.add("next:" + item);
    }

    @Override
    public void onError(Throwable t) {
      error.set(t);
      errors.incrementAndGet();
      signals.add("error");
      terminated.countDown();
    }

    @Override
    public void onComplete() {
      completions.incrementAndGet();
      signals.add("complete");
      terminated.countDown();
    }

    void request(long n) {
      subscription.request(n);
    }

    void cancel() {
      subscription.cancel();
    }
  }

  /** A publisher whose producer does nothing on its own; the test drives it. */
  private static <T> EventPublisher<T> manual() {
    return new EventPublisher<>(p -> {});
  }

  private static <T> Recorder<T> subscribe(EventPublisher<T> publisher) {
    Recorder<T> recorder = new Recorder<>();
    publisher.subscribe(recorder);
    return recorder;
  }

  private static void emitRange(EventPublisher<Integer> publisher, int from, int to) {
    for (int i = from; i < to; i++) {
      publisher.emit(i);
    }
  }

  @Test
  void subscribe_startCallback_receivesThePublisherOnceAfterOnSubscribe() {
    List<String> order = new ArrayList<>();
    AtomicReference<EventPublisher<Integer>> started = new AtomicReference<>();
    AtomicInteger starts = new AtomicInteger();
    EventPublisher<Integer> publisher =
        new EventPublisher<>(
            p -> {
              starts.incrementAndGet();
              started.set(p);
              order.add("start");
            });

    publisher.subscribe(
        new Recorder<>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            order.add("onSubscribe");
          }
        });

    assertThat(starts).hasValue(1);
    assertThat(started.get()).isSameAs(publisher);
    assertThat(order).containsExactly("onSubscribe", "start");
  }

  @Test
  void emit_beforeAnyRequest_deliversNothing() {
    EventPublisher<Integer> publisher = new EventPublisher<>(p -> emitRange(p, 0, 3));

    Recorder<Integer> recorder = subscribe(publisher);

    assertThat(recorder.items).isEmpty();
    assertThat(recorder.signals).containsExactly("subscribe");
  }

  @Test
  void request_lessThanQueued_deliversExactlyTheDemand() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder = subscribe(publisher);
    emitRange(publisher, 0, 5);

    recorder.request(2);

    assertThat(recorder.items).containsExactly(0, 1);

    recorder.request(3);

    assertThat(recorder.items).containsExactly(0, 1, 2, 3, 4);
    assertThat(recorder.completions).hasValue(0);
  }

  @Test
  void emit_withOutstandingDemand_deliversAtOnceUpToTheDemand() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder = subscribe(publisher);
    recorder.request(2);

    publisher.emit(7);
    assertThat(recorder.items).containsExactly(7);

    publisher.emit(8);
    publisher.emit(9);

    assertThat(recorder.items).containsExactly(7, 8);
  }

  @Test
  void request_overflowingLongMaxValue_keepsDeliveringEverything() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder = subscribe(publisher);
    recorder.request(Long.MAX_VALUE);
    recorder.request(Long.MAX_VALUE);

    emitRange(publisher, 0, 100);
    publisher.complete();

    assertThat(recorder.items).hasSize(100);
    assertThat(recorder.errors).hasValue(0);
    assertThat(recorder.completions).hasValue(1);
  }

  @Test
  void complete_withQueuedItems_completesOnlyAfterTheyAreDeliveredOnDemand() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder = subscribe(publisher);
    emitRange(publisher, 0, 3);

    publisher.complete();
    assertThat(recorder.completions).hasValue(0);

    recorder.request(2);
    assertThat(recorder.items).containsExactly(0, 1);
    assertThat(recorder.completions).hasValue(0);

    recorder.request(1);
    assertThat(recorder.signals)
        .containsExactly("subscribe", "next:0", "next:1", "next:2", "complete");
  }

  @Test
  void complete_withEmptyQueue_completesWithoutDemand() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder = subscribe(publisher);

    publisher.complete();

    assertThat(recorder.signals).containsExactly("subscribe", "complete");
  }

  @Test
  void complete_calledTwice_completesOnce() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder = subscribe(publisher);

    publisher.complete();
    publisher.complete();
    recorder.request(1);

    assertThat(recorder.completions).hasValue(1);
  }

  @Test
  void fail_withQueuedItems_deliversItemsFirstThenError() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder = subscribe(publisher);
    emitRange(publisher, 0, 2);
    RuntimeException boom = new RuntimeException("boom");

    publisher.fail(boom);
    assertThat(recorder.errors).hasValue(0);

    recorder.request(1);
    assertThat(recorder.errors).hasValue(0);

    recorder.request(1);
    assertThat(recorder.signals).containsExactly("subscribe", "next:0", "next:1", "error");
    assertThat(recorder.error.get()).isSameAs(boom);
  }

  @Test
  void fail_afterComplete_isIgnored() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder = subscribe(publisher);
    publisher.emit(1);

    publisher.complete();
    publisher.fail(new RuntimeException("late"));
    recorder.request(5);

    assertThat(recorder.signals).containsExactly("subscribe", "next:1", "complete");
  }

  @Test
  void emit_afterComplete_isIgnored() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder = subscribe(publisher);
    publisher.emit(1);
    publisher.complete();

    publisher.emit(2);
    recorder.request(5);

    assertThat(recorder.items).containsExactly(1);
    assertThat(recorder.completions).hasValue(1);
  }

  @Test
  void start_throwing_failsTheSubscriber() {
    IllegalStateException boom = new IllegalStateException("cannot start");
    EventPublisher<Integer> publisher =
        new EventPublisher<>(
            p -> {
              throw boom;
            });

    Recorder<Integer> recorder = subscribe(publisher);

    assertThat(recorder.signals).containsExactly("subscribe", "error");
    assertThat(recorder.error.get()).isSameAs(boom);
  }

  @Test
  void request_zero_signalsIllegalArgumentException() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder = subscribe(publisher);

    recorder.request(0);

    assertThat(recorder.errors).hasValue(1);
    assertThat(recorder.error.get()).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void request_negative_signalsIllegalArgumentExceptionAndStopsTheProducer() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder = subscribe(publisher);

    recorder.request(-3);
    publisher.emit(1);
    recorder.request(1);

    assertThat(recorder.error.get())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-3");
    assertThat(recorder.items).isEmpty();
    assertThat(publisher.wantsMore()).isFalse();
  }

  @Test
  void request_zeroWithQueuedItems_signalsIllegalArgumentExceptionAtOnce() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder = subscribe(publisher);
    publisher.emit(1);

    recorder.request(0);

    assertThat(recorder.errors).hasValue(1);
    assertThat(recorder.error.get()).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void cancel_calledTwice_runsTheCancelActionExactlyOnce() {
    EventPublisher<Integer> publisher = manual();
    AtomicInteger runs = new AtomicInteger();
    publisher.onCancel(runs::incrementAndGet);
    Recorder<Integer> recorder = subscribe(publisher);

    recorder.cancel();
    recorder.cancel();

    assertThat(runs).hasValue(1);
    assertThat(publisher.isCancelled()).isTrue();
  }

  @Test
  void onCancel_registeredAfterCancel_runsImmediatelyAndOnlyOnce() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder = subscribe(publisher);
    recorder.cancel();
    AtomicInteger runs = new AtomicInteger();

    publisher.onCancel(runs::incrementAndGet);
    assertThat(runs).hasValue(1);

    recorder.cancel();
    assertThat(runs).hasValue(1);
  }

  @Test
  void onCancel_withoutCancel_neverRuns() {
    EventPublisher<Integer> publisher = manual();
    AtomicInteger runs = new AtomicInteger();
    publisher.onCancel(runs::incrementAndGet);
    Recorder<Integer> recorder = subscribe(publisher);

    publisher.emit(1);
    recorder.request(1);
    publisher.complete();

    assertThat(runs).hasValue(0);
    assertThat(publisher.isCancelled()).isFalse();
  }

  @Test
  void cancel_withQueuedItems_deliversNothingMore() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder = subscribe(publisher);
    emitRange(publisher, 0, 3);
    recorder.request(1);

    recorder.cancel();
    recorder.request(10);
    publisher.emit(99);
    publisher.complete();
    publisher.fail(new RuntimeException("late"));

    assertThat(recorder.signals).containsExactly("subscribe", "next:0");
    assertThat(publisher.wantsMore()).isFalse();
  }

  @Test
  void cancel_insideOnNext_stopsDeliveryAtOnce() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder =
        new Recorder<>() {
          @Override
          public void onNext(Integer item) {
            super.onNext(item);
            if (item == 1) {
              subscription.cancel();
            }
          }
        };
    publisher.subscribe(recorder);
    emitRange(publisher, 0, 5);

    recorder.request(5);

    assertThat(recorder.items).containsExactly(0, 1);
  }

  @Test
  void request_insideOnNext_deliversAllItemsInOrderWithoutGrowingTheStack() {
    int count = 10_000;
    EventPublisher<Integer> publisher = manual();
    AtomicInteger minDepth = new AtomicInteger(Integer.MAX_VALUE);
    AtomicInteger maxDepth = new AtomicInteger();
    Recorder<Integer> recorder =
        new Recorder<>() {
          @Override
          public void onNext(Integer item) {
            super.onNext(item);
            if (item % 500 == 0) {
              int depth = Thread.currentThread().getStackTrace().length;
              minDepth.accumulateAndGet(depth, Math::min);
              maxDepth.accumulateAndGet(depth, Math::max);
            }
            subscription.request(1);
          }
        };
    publisher.subscribe(recorder);
    emitRange(publisher, 0, count);
    publisher.complete();

    recorder.request(1);

    assertThat(recorder.items)
        .containsExactlyElementsOf(IntStream.range(0, count).boxed().toList());
    assertThat(recorder.completions).hasValue(1);
    assertThat(maxDepth.get() - minDepth.get()).isLessThan(10);
  }

  @Test
  void emit_withSubscriberRequestingInsideOnNext_deliversEachItemAsEmitted() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder =
        new Recorder<>() {
          @Override
          public void onNext(Integer item) {
            super.onNext(item);
            subscription.request(1);
          }
        };
    publisher.subscribe(recorder);
    recorder.request(1);

    for (int i = 0; i < 10_000; i++) {
      publisher.emit(i);
      assertThat(recorder.items).hasSize(i + 1);
    }
    assertThat(publisher.wantsMore()).isTrue();
  }

  @Test
  void subscribe_secondSubscriber_getsIllegalStateExceptionAndFirstIsUnaffected() {
    AtomicInteger starts = new AtomicInteger();
    EventPublisher<Integer> publisher = new EventPublisher<>(p -> starts.incrementAndGet());
    Recorder<Integer> first = subscribe(publisher);

    Recorder<Integer> second = subscribe(publisher);

    assertThat(second.signals).containsExactly("subscribe", "error");
    assertThat(second.error.get()).isInstanceOf(IllegalStateException.class);
    assertThat(starts).hasValue(1);
    publisher.emit(1);
    first.request(1);
    second.request(1);
    assertThat(first.items).containsExactly(1);
    assertThat(second.items).isEmpty();
    assertThat(first.errors).hasValue(0);
  }

  @Test
  void wantsMore_followsDemandNotCoveredByTheQueue() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder = subscribe(publisher);
    assertThat(publisher.wantsMore()).isFalse();

    emitRange(publisher, 0, 2);
    recorder.request(1);
    assertThat(recorder.items).containsExactly(0);
    assertThat(publisher.wantsMore()).isFalse();

    recorder.request(3);
    assertThat(recorder.items).containsExactly(0, 1);
    assertThat(publisher.wantsMore()).isTrue();

    publisher.emit(2);
    publisher.emit(3);
    assertThat(publisher.wantsMore()).isFalse();
  }

  @Test
  void wantsMore_afterComplete_isFalseEvenWithDemand() {
    EventPublisher<Integer> publisher = manual();
    Recorder<Integer> recorder = subscribe(publisher);
    recorder.request(5);
    assertThat(publisher.wantsMore()).isTrue();

    publisher.complete();

    assertThat(publisher.wantsMore()).isFalse();
  }

  @Test
  void onDemand_requestExceedingTheQueue_runsTheListenerEachTime() {
    EventPublisher<Integer> publisher = manual();
    AtomicInteger runs = new AtomicInteger();
    publisher.onDemand(runs::incrementAndGet);
    Recorder<Integer> recorder = subscribe(publisher);

    recorder.request(1);
    assertThat(runs).hasValue(1);

    recorder.request(1);
    assertThat(runs).hasValue(2);
  }

  @Test
  void onDemand_requestCoveredByTheQueue_doesNotRunTheListener() {
    EventPublisher<Integer> publisher = manual();
    AtomicInteger runs = new AtomicInteger();
    publisher.onDemand(runs::incrementAndGet);
    Recorder<Integer> recorder = subscribe(publisher);
    emitRange(publisher, 0, 3);

    recorder.request(2);
    assertThat(runs).hasValue(0);

    recorder.request(2);
    assertThat(recorder.items).containsExactly(0, 1, 2);
    assertThat(runs).hasValue(1);
  }

  @Test
  void onDemand_listener_seesWantsMoreAndCanProduceFromIt() {
    EventPublisher<Integer> publisher = manual();
    AtomicInteger next = new AtomicInteger();
    publisher.onDemand(
        () -> {
          while (publisher.wantsMore()) {
            publisher.emit(next.getAndIncrement());
          }
        });
    Recorder<Integer> recorder = subscribe(publisher);

    recorder.request(3);
    assertThat(recorder.items).containsExactly(0, 1, 2);

    recorder.request(2);
    assertThat(recorder.items).containsExactly(0, 1, 2, 3, 4);
    assertThat(next).hasValue(5);
  }

  @Test
  void onDemand_afterComplete_isNotRun() {
    EventPublisher<Integer> publisher = manual();
    AtomicInteger runs = new AtomicInteger();
    publisher.onDemand(runs::incrementAndGet);
    Recorder<Integer> recorder = subscribe(publisher);
    publisher.complete();

    recorder.request(3);

    assertThat(runs).hasValue(0);
  }

  @Test
  void onDemand_afterCancel_isNotRun() {
    EventPublisher<Integer> publisher = manual();
    AtomicInteger runs = new AtomicInteger();
    publisher.onDemand(runs::incrementAndGet);
    Recorder<Integer> recorder = subscribe(publisher);
    recorder.cancel();

    recorder.request(3);

    assertThat(runs).hasValue(0);
  }

  @Test
  void emit_concurrentProducersAndRequester_deliversEveryItemOnceSerially() throws Exception {
    int producers = 4;
    int perProducer = 5_000;
    int total = producers * perProducer;
    EventPublisher<Integer> publisher = manual();
    AtomicBoolean inOnNext = new AtomicBoolean();
    AtomicInteger overlaps = new AtomicInteger();
    Recorder<Integer> recorder =
        new Recorder<>() {
          @Override
          public void onNext(Integer item) {
            if (!inOnNext.compareAndSet(false, true)) {
              overlaps.incrementAndGet();
            }
            for (int i = 0; i < 50; i++) {
              Thread.onSpinWait();
            }
            super.onNext(item);
            inOnNext.set(false);
          }
        };
    publisher.subscribe(recorder);
    ExecutorService pool = Executors.newFixedThreadPool(producers + 1);
    try {
      CyclicBarrier go = new CyclicBarrier(producers + 1);
      List<Future<?>> work = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int base = p * perProducer;
        work.add(
            pool.submit(
                () -> {
                  go.await();
                  emitRange(publisher, base, base + perProducer);
                  return null;
                }));
      }
      work.add(
          pool.submit(
              () -> {
                go.await();
                int requested = 0;
                while (requested < total) {
                  int n = Math.min(7, total - requested);
                  recorder.request(n);
                  requested += n;
                }
                return null;
              }));
      for (Future<?> f : work) {
        f.get(30, TimeUnit.SECONDS);
      }
      publisher.complete();

      assertThat(recorder.terminated.await(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
    }

    assertThat(overlaps).hasValue(0);
    assertThat(recorder.completions).hasValue(1);
    assertThat(recorder.errors).hasValue(0);
    List<Integer> items = List.copyOf(recorder.items);
    assertThat(items).hasSize(total).doesNotHaveDuplicates();
    assertThat(items)
        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, total).boxed().toList());
    for (int p = 0; p < producers; p++) {
      int base = p * perProducer;
      List<Integer> fromProducer =
          items.stream().filter(i -> i >= base && i < base + perProducer).toList();
      assertThat(fromProducer).as("producer %d order", p).isSorted();
    }
  }
}
