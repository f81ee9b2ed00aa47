package dev.providergateway.provider.echo;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.EmbedRequest;
import dev.providergateway.provider.EmbedResponse;
import dev.providergateway.provider.EventPublisher;
import dev.providergateway.provider.ModelInfo;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.ToolCallFormat;
import dev.providergateway.provider.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A test and demo provider that calls no model: it answers deterministically from the request (see
 * {@link EchoScript}), so a new user gets answers at once and clients, tests and benchmarks have a
 * fixed reference. Request {@code extra} knobs ({@link EchoKnobs}) add latency and simulated
 * upstream failures.
 */
final class EchoProvider implements Provider {
  static final String DEFAULT_MODEL = "echo-1";

  /** The size of echo's demo vectors when a request names none. */
  static final int EMBED_DIMENSIONS = 8;

  private final String name;
  private final ProviderDescriptor descriptor;
  private final ScheduledExecutorService timer;

  EchoProvider(String name, String defaultModel, ScheduledExecutorService timer) {
    this.name = requireNonNull(name, "name");
    this.timer = requireNonNull(timer, "timer");
    Capabilities caps = new Capabilities(true, true, false, false, ToolCallFormat.OPENAI, 32_768);
    this.descriptor =
        new ProviderDescriptor(
            "echo",
            "Test/demo provider: echoes the last user message, calls no model",
            defaultModel,
            List.of(new ModelInfo(defaultModel, caps)),
            caps,
            true);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ProviderDescriptor descriptor() {
    return descriptor;
  }

  @Override
  public boolean servesEmbeddings() {
    return true;
  }

  /**
   * Deterministic demo vectors, so clients and tests have a fixed reference: {@code dimensions}
   * (default {@value #EMBED_DIMENSIONS}) values per input from a hash of its text, scaled to unit
   * length. They carry no meaning. Usage is the local token estimate of the inputs.
   */
  @Override
  public CompletableFuture<EmbedResponse> embed(EmbedRequest request, CallContext context) {
    int size = request.dimensions() == null ? EMBED_DIMENSIONS : request.dimensions();
    List<float[]> vectors = new ArrayList<>(request.inputs().size());
    long chars = 0;
    for (String input : request.inputs()) {
      chars += input.length();
      java.util.SplittableRandom random = new java.util.SplittableRandom(input.hashCode());
      float[] v = new float[size];
      double norm = 0;
      for (int i = 0; i < size; i++) {
        v[i] = (float) (random.nextDouble() * 2 - 1);
        norm += v[i] * v[i];
      }
      float scale = (float) (1 / Math.sqrt(norm));
      for (int i = 0; i < size; i++) {
        v[i] *= scale;
      }
      vectors.add(v);
    }
    int tokens = (int) Math.min(Integer.MAX_VALUE, (chars + 3) / 4);
    return CompletableFuture.completedFuture(
        new EmbedResponse(vectors, request.model(), Usage.of(tokens, 0), Map.of()));
  }

  @Override
  public CompletableFuture<CompletionResponse> chat(ChatRequest request, CallContext context) {
    EchoKnobs knobs = EchoKnobs.from(request, name);
    EchoScript script = EchoScript.of(request);
    CompletableFuture<CompletionResponse> result = new CompletableFuture<>();
    Runnable answer =
        () -> {
          if (knobs.failure() != null) {
            result.completeExceptionally(knobs.failure());
            return;
          }
          result.complete(
              new CompletionResponse(
                  script.content(),
                  script.toolCalls(),
                  script.stopReason(),
                  script.nativeStopReason(),
                  script.usage(),
                  request.model(),
                  "",
                  Map.of(),
                  List.of()));
        };
    if (knobs.delayMillis() == 0) {
      answer.run();
    } else {
      ScheduledFuture<?> pending =
          timer.schedule(answer, knobs.delayMillis(), TimeUnit.MILLISECONDS);
      // Cancelling the call cancels the pending answer, as a real provider aborts its request.
      result.whenComplete((r, e) -> pending.cancel(false));
    }
    return result;
  }

  @Override
  public Flow.Publisher<StreamEvent> stream(ChatRequest request, CallContext context) {
    EchoKnobs knobs = EchoKnobs.from(request, name);
    List<StreamEvent> events = events(EchoScript.of(request), request.model());
    return new EventPublisher<>(publisher -> new Emission(publisher, events, knobs).next());
  }

  @Override
  public void close() {
    // The timer is shared by all echo instances and owned by the factory.
  }

  private static List<StreamEvent> events(EchoScript script, String model) {
    List<StreamEvent> events = new ArrayList<>();
    events.add(new StreamEvent.ResponseInfo(model, Map.of()));
    for (String word : script.words()) {
      events.add(new StreamEvent.ContentDelta(word));
    }
    for (int i = 0; i < script.toolCalls().size(); i++) {
      ToolCall call = script.toolCalls().get(i);
      String args = call.rawArguments().isEmpty() ? call.arguments() : call.rawArguments();
      int half = args.length() / 2;
      // Two fragments per call, as real providers split arguments across deltas.
      events.add(new StreamEvent.ToolCallDelta(i, call.id(), call.name(), args.substring(0, half)));
      events.add(new StreamEvent.ToolCallDelta(i, "", "", args.substring(half)));
    }
    events.add(new StreamEvent.UsageReport(script.usage()));
    events.add(new StreamEvent.Finish(script.stopReason(), script.nativeStopReason()));
    return events;
  }

  /** Emits one stream's events, one per tick when a delay is set, failing where told to. */
  private final class Emission {
    private final EventPublisher<StreamEvent> publisher;
    private final List<StreamEvent> events;
    private final EchoKnobs knobs;
    private int position;
    private volatile ScheduledFuture<?> pending;

    Emission(EventPublisher<StreamEvent> publisher, List<StreamEvent> events, EchoKnobs knobs) {
      this.publisher = publisher;
      this.events = events;
      this.knobs = knobs;
      publisher.onCancel(
          () -> {
            ScheduledFuture<?> p = pending;
            if (p != null) {
              p.cancel(false);
            }
          });
    }

    void next() {
      if (knobs.delayMillis() == 0) {
        while (step()) {
          // Without a delay every event is queued at once; the publisher still honours demand.
        }
      } else if (!publisher.isCancelled()) {
        pending = timer.schedule(this::tick, knobs.delayMillis(), TimeUnit.MILLISECONDS);
      }
    }

    private void tick() {
      if (step()) {
        next();
      }
    }

    /** Emits the next event or the end; returns true when more remain. */
    private boolean step() {
      if (publisher.isCancelled()) {
        return false;
      }
      if (knobs.failure() != null && position >= knobs.failAfterEvents()) {
        publisher.fail(knobs.failure());
        return false;
      }
      if (position == events.size()) {
        publisher.complete();
        return false;
      }
      publisher.emit(events.get(position++));
      return true;
    }
  }
}
