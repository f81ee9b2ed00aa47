package dev.providergateway.dispatch;

import dev.providergateway.config.BreakerConfig;
import dev.providergateway.config.ResilienceConfig;
import dev.providergateway.observability.GatewayMetrics;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.ErrorReason;
import dev.providergateway.provider.EventPublisher;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.StreamChunk;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolCallFormat;
import dev.providergateway.provider.Usage;
import dev.providergateway.registry.RegisteredProvider;
import dev.providergateway.resilience.ProviderBreaker;
import dev.providergateway.resilience.Resilience;
import dev.providergateway.testing.ManualScheduler;
import dev.providergateway.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls through an {@link AttemptRunner} on a fixed clock and a manual scheduler, to fake providers
 * the test answers by hand: nothing sleeps and nothing touches the network.
 */
final class CallFixture {
  final MutableClock clock = new MutableClock();
  final ManualScheduler scheduler = new ManualScheduler(clock);
  final RecordingMetrics metrics = new RecordingMetrics();
  final Resilience resilience;
  final AtomicInteger callSlotsReleased = new AtomicInteger();

  /** A fixture with {@code config}. */
  CallFixture(ResilienceConfig.Builder config) {
    resilience = Resilience.of(config.build(), clock, scheduler);
  }

  CallFixture() {
    this(config());
  }

  /**
   * The base config of these tests: 2 retries, 1 s doubling to 8 s, no jitter, a generous budget.
   */
  static ResilienceConfig.Builder config() {
    return ResilienceConfig.builder()
        .retries(2, Duration.ofSeconds(1), Duration.ofSeconds(8), 0)
        .retryBudget(100, 100)
        .concurrency(10, 1);
  }

  /** The base config without retries. */
  static ResilienceConfig.Builder noRetries() {
    return config().retries(0, Duration.ofSeconds(1), Duration.ofSeconds(8), 0);
  }

  /** The base config with a default deadline of {@code d} (and the default watchdogs). */
  static ResilienceConfig.Builder defaultDeadline(Duration d) {
    return config().timeouts(d, Duration.ofSeconds(60), Duration.ofSeconds(60));
  }

  /** A target on a new fake provider with the default breaker. */
  Target target(String provider, String model) {
    return target(provider, model, BreakerConfig.defaults());
  }

  /**
   * A target on a new fake provider whose breaker opens on one counted failure; after {@link
   * #halfOpen}, its one trial permit shows how the attempt was settled: success closes it, a
   * counted failure reopens it, a release leaves it half-open with the trial free again.
   */
  Target strictTarget(String provider, String model) {
    return target(provider, model, new BreakerConfig(1, Duration.ofSeconds(30), 1, 1));
  }

  private Target target(String provider, String model, BreakerConfig breaker) {
    return new Target(
        new RegisteredProvider(
            new FakeProvider(provider), List.of(), new ProviderBreaker(provider, breaker, clock)),
        model);
  }

  static FakeProvider fake(Target target) {
    return (FakeProvider) target.provider().provider();
  }

  /** Opens {@code target}'s breaker and lets its open period pass: the next permit is a trial. */
  void halfOpen(Target target) {
    target.provider().breaker().acquire(target.model()).failure(unavailable(target, null));
    clock.advance(Duration.ofSeconds(31));
  }

  static ProviderException unavailable(Target target, Duration retryAfter) {
    return new ProviderException.Unavailable(origin(target, 503), "down", retryAfter);
  }

  static ProviderException.Origin origin(Target target, int status) {
    return new ProviderException.Origin(target.provider().name(), target.model(), status);
  }

  static CallContext noDeadline() {
    return new CallContext("req-1", null);
  }

  CallContext deadlineIn(Duration d) {
    return new CallContext("req-1", clock.instant().plus(d));
  }

  AttemptPlan plan(CallContext context, Target... targets) {
    return new AttemptPlan(List.of(targets), context, resilience);
  }

  /** A started Chat call over {@code targets}. */
  CompletableFuture<Dispatcher.ChatResult> chat(CallContext context, Target... targets) {
    UnaryStrategy unary =
        new UnaryStrategy(context, (t, r, c) -> t.provider().provider().chat(r, c));
    var runner =
        new AttemptRunner<>(
            plan(context, targets), request(), metrics, unary, callSlotsReleased::incrementAndGet);
    unary.cancelWith(runner);
    runner.start();
    return unary.result;
  }

  /**
   * A streaming call over {@code targets}, subscribed by a caller asking for {@code demand} chunks.
   */
  Caller stream(CallContext context, long demand, Target... targets) {
    return stream(context, demand, request(), targets);
  }

  /** The same, for the caller's {@code request}. */
  Caller stream(CallContext context, long demand, ChatRequest request, Target... targets) {
    StreamStrategy streaming =
        new StreamStrategy(
            context,
            (t, r, c, consumption) ->
                StreamAssembler.assemble(
                    t.provider().provider().stream(r, c), t.provider().name(), t.model()));
    var runner =
        new AttemptRunner<>(
            plan(context, targets),
            request,
            metrics,
            streaming,
            callSlotsReleased::incrementAndGet);
    Caller caller = new Caller();
    streaming.publisher(runner).subscribe(caller);
    caller.subscription.request(demand);
    return caller;
  }

  static ChatRequest request() {
    return ChatRequest.builder("requested").messages(List.of(Message.of(Role.USER, "hi"))).build();
  }

  static CompletionResponse response(String text) {
    return new CompletionResponse(
        text, List.of(), StopReason.STOP, "stop", Usage.ZERO, "m", "", Map.of(), List.of());
  }

  /**
   * A provider whose calls the test answers: each chat is a pending future, each stream a
   * publisher.
   */
  static final class FakeProvider implements Provider {
    private final String name;
    final List<String> models = Collections.synchronizedList(new ArrayList<>());
    final List<CompletableFuture<CompletionResponse>> chats =
        Collections.synchronizedList(new ArrayList<>());
    final List<EventPublisher<StreamEvent>> streams =
        Collections.synchronizedList(new ArrayList<>());

    FakeProvider(String name) {
      this.name = name;
    }

    CompletableFuture<CompletionResponse> lastChat() {
      return chats.get(chats.size() - 1);
    }

    EventPublisher<StreamEvent> lastStream() {
      return streams.get(streams.size() - 1);
    }

    int calls() {
      return models.size();
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public ProviderDescriptor descriptor() {
      return new ProviderDescriptor(
          "fake",
          "fake",
          "m",
          List.of(),
          new Capabilities(true, true, false, false, ToolCallFormat.OPENAI, 1000),
          false);
    }

    @Override
    public CompletableFuture<CompletionResponse> chat(ChatRequest request, CallContext context) {
      models.add(request.model());
      CompletableFuture<CompletionResponse> call = new CompletableFuture<>();
      chats.add(call);
      return call;
    }

    @Override
    public Flow.Publisher<StreamEvent> stream(ChatRequest request, CallContext context) {
      models.add(request.model());
      return new EventPublisher<>(streams::add);
    }

    @Override
    public void close() {}
  }

  /** The streaming caller: records chunks and the terminal signal. */
  static final class Caller implements Flow.Subscriber<StreamChunk> {
    final List<StreamChunk> chunks = Collections.synchronizedList(new ArrayList<>());
    volatile Throwable error;
    volatile boolean completed;
    volatile Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
    }

    @Override
    public void onNext(StreamChunk item) {
      chunks.add(item);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onComplete() {
      completed = true;
    }

    StreamChunk last() {
      return chunks.get(chunks.size() - 1);
    }
  }

  /**
   * Counts what the runner reports: attempts begun and ended, retries with their delays, fallbacks.
   */
  static final class RecordingMetrics implements GatewayMetrics {
    final AtomicInteger attempts = new AtomicInteger();
    final List<Throwable> ends = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger firstTokens = new AtomicInteger();
    final List<Duration> retries = Collections.synchronizedList(new ArrayList<>());
    final List<String> fallbacks = Collections.synchronizedList(new ArrayList<>());

    @Override
    public UpstreamAttempt upstreamAttempt(
        CallContext call, String provider, String model, int attempt) {
      attempts.incrementAndGet();
      return new UpstreamAttempt() {
        @Override
        public void firstToken() {
          firstTokens.incrementAndGet();
        }

        @Override
        public void end(Throwable failure) {
          ends.add(failure == null ? new Ok() : failure);
        }
      };
    }

    @Override
    public void retry(
        CallContext call, String provider, String model, ErrorReason reason, Duration backoff) {
      retries.add(backoff);
    }

    @Override
    public void fallback(
        CallContext call, String fromProvider, String toProvider, ErrorReason reason) {
      fallbacks.add(fromProvider + "->" + toProvider);
    }
  }

  /** Stands for a successful end in {@link RecordingMetrics#ends}. */
  static final class Ok extends Throwable {
    Ok() {
      super("ok", null, false, false);
    }
  }
}
