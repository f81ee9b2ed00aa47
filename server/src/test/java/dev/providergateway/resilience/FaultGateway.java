package dev.providergateway.resilience;

import dev.providergateway.api.ProviderGatewayService;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.config.GatewayConfig;
import dev.providergateway.provider.testing.TestTransport;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.testing.MutableClock;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CircuitState;
import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import dev.providergateway.v1.ListProvidersRequest;
import dev.providergateway.v1.ProviderInfo;
import dev.providergateway.v1.ProviderServiceGrpc;
import dev.providergateway.v1.StreamChunk;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's service and dispatcher on the in-process transport, built from a YAML config as
 * production builds them, but with a clock that tests move ({@link MutableClock}) and a timer
 * scheduler the test owns, so it can check that no retry or watchdog timer outlives its call. The
 * scheduler is the same kind as the production one (one thread; cancelled tasks stay queued until
 * due).
 */
final class FaultGateway implements AutoCloseable {
  final MutableClock clock = MutableClock.followingRealTime();
  final ScheduledThreadPoolExecutor timers =
      new ScheduledThreadPoolExecutor(
          1,
          r -> {
            Thread t = new Thread(r, "fault-gateway-timers");
            t.setDaemon(true);
            return t;
          });
  final GatewayConfig config;
  final ManagedChannel channel;
  private final ProviderRegistry registry;
  private final Server server;

  FaultGateway(String yaml) {
    timers.prestartAllCoreThreads();
    config = ConfigLoader.parse(yaml, Map.of());
    registry = ProviderRegistry.create(config, Map.of(), clock, TestTransport.get());
    var service =
        new ProviderGatewayService(
            registry, config.limits(), Resilience.of(config.resilience(), clock, timers));
    String name = InProcessServerBuilder.generateName();
    try {
      server =
          InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  ProviderServiceGrpc.ProviderServiceBlockingStub blocking() {
    return ProviderServiceGrpc.newBlockingStub(channel);
  }

  /** A Chat call, with a deadline when {@code deadlineMillis} is positive. */
  Outcome chat(ChatRequest request, long deadlineMillis) {
    long start = System.nanoTime();
    var stub =
        deadlineMillis > 0
            ? blocking().withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
            : blocking();
    try {
      return Outcome.success(stub.chat(request), start);
    } catch (StatusRuntimeException e) {
      return Outcome.failure(e, List.of(), start);
    }
  }

  Outcome chat(ChatRequest request) {
    return chat(request, 0);
  }

  /** A Stream call read to its end, with a deadline when {@code deadlineMillis} is positive. */
  Outcome stream(ChatRequest request, long deadlineMillis) {
    long start = System.nanoTime();
    var stub =
        deadlineMillis > 0
            ? blocking().withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
            : blocking();
    List<StreamChunk> chunks = new ArrayList<>();
    try {
      stub.stream(request).forEachRemaining(chunks::add);
      return Outcome.streamed(chunks, start);
    } catch (StatusRuntimeException e) {
      return Outcome.failure(e, chunks, start);
    }
  }

  Outcome stream(ChatRequest request) {
    return stream(request, 0);
  }

  /** Opens a Converse stream. */
  Conversation converse() {
    return new Conversation(ProviderServiceGrpc.newStub(channel));
  }

  /** The circuit state of {@code provider}, as ListProviders shows it. */
  CircuitState breaker(String provider) {
    return blocking()
        .listProviders(ListProvidersRequest.getDefaultInstance())
        .getProvidersList()
        .stream()
        .filter(p -> p.getName().equals(provider))
        .map(ProviderInfo::getCircuitState)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no provider " + provider));
  }

  /** Timers still due to run: neither cancelled nor done. */
  long liveTimers() {
    return timers.getQueue().stream()
        .filter(r -> r instanceof Future<?> f && !f.isCancelled() && !f.isDone())
        .count();
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
    registry.close();
    timers.shutdownNow();
  }

  /** The client side of one Converse call; each turn's outcome is collected by its id. */
  static final class Conversation implements StreamObserver<ConverseResponse> {
    private final LinkedBlockingQueue<ConverseResponse> responses = new LinkedBlockingQueue<>();
    private final Map<String, Long> started = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<ConverseResponse> seen = new ArrayList<>();
    final CountDownLatch ended = new CountDownLatch(1);
    volatile Throwable error;
    private final StreamObserver<ConverseRequest> requests;

    Conversation(ProviderServiceGrpc.ProviderServiceStub stub) {
      this.requests = stub.converse(this);
    }

    void start(String id, ChatRequest request) {
      started.put(id, System.nanoTime());
      requests.onNext(
          ConverseRequest.newBuilder()
              .setStart(ConverseRequest.StartTurn.newBuilder().setTurnId(id).setRequest(request))
              .build());
    }

    void cancel(String id) {
      requests.onNext(
          ConverseRequest.newBuilder()
              .setCancel(ConverseRequest.CancelTurn.newBuilder().setTurnId(id))
              .build());
    }

    void halfClose() {
      requests.onCompleted();
    }

    /** Waits for the first chunk of turn {@code id}. */
    StreamChunk awaitChunk(String id) throws InterruptedException {
      while (true) {
        for (ConverseResponse r : seen) {
          if (r.getTurnId().equals(id) && r.hasChunk()) {
            return r.getChunk();
          }
        }
        seen.add(next());
      }
    }

    /** Waits for turn {@code id} to end, with a final chunk or an error. */
    Outcome awaitEnd(String id) throws InterruptedException {
      while (true) {
        List<StreamChunk> chunks = new ArrayList<>();
        for (ConverseResponse r : seen) {
          if (!r.getTurnId().equals(id)) {
            continue;
          }
          if (r.hasError()) {
            return Outcome.failure(r.getError(), chunks, started.get(id));
          }
          chunks.add(r.getChunk());
          if (r.getChunk().getIsFinal()) {
            return Outcome.streamed(chunks, started.get(id));
          }
        }
        seen.add(next());
      }
    }

    private ConverseResponse next() throws InterruptedException {
      ConverseResponse r = responses.poll(10, TimeUnit.SECONDS);
      if (r == null) {
        throw new AssertionError(
            "no Converse response within 10 s; seen " + seen + ", error " + error);
      }
      return r;
    }

    @Override
    public void onNext(ConverseResponse value) {
      responses.add(value);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
      ended.countDown();
    }

    @Override
    public void onCompleted() {
      ended.countDown();
    }
  }
}
