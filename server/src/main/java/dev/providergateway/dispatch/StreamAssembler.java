package dev.providergateway.dispatch;

import dev.providergateway.provider.EventPublisher;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ReasoningBlock;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.StreamChunk;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.Usage;
import dev.providergateway.resilience.GatewayClock;
import dev.providergateway.toolcalling.ToolCallTextFilter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Turns a provider's {@link StreamEvent}s into the chunks the caller sees, and ends a clean stream
 * with the one final chunk: complete tool calls by index, usage, stop reason (default {@code stop},
 * or {@code tool_calls} when calls were made), model and provider.
 *
 * <p>Demand flows through: the upstream is asked for one event at a time, and only while the
 * caller's demand is not covered, so a slow reader slows the upstream read. The breaker permit and
 * the provider slot are not its business: the {@link AttemptRunner} settles them from the chunks
 * and the terminal signal it sees.
 *
 * <p>Watchdogs: while an upstream event is asked for and not delivered, a timer runs: the first
 * token timeout until the first event, the idle timeout after it. When it fires the upstream
 * request is cancelled and the stream fails with PROVIDER_TIMEOUT, so an upstream that hangs before
 * its headers or stalls mid-stream cannot hold a caller forever. A slow caller does not trip it,
 * since nothing is asked of the upstream then.
 */
final class StreamAssembler implements Flow.Subscriber<StreamEvent> {
  /** The stall timers of one stream; waits are measured on {@code clock}'s monotonic ticks. */
  record Watchdog(
      ScheduledExecutorService scheduler, GatewayClock clock, Duration firstToken, Duration idle) {}

  /** Where an attempt's consumption is reported. */
  interface Consumption {
    /** See {@link AttemptRunner.Attempt#consumed}. */
    void consumed(String model, Usage usage, boolean estimated);
  }

  /**
   * Reports what the stream consumed, once, however it ends: the upstream's usage when it arrived;
   * else an estimate from {@code promptTokens} (the request's, estimated) and the text received. A
   * stream that failed before any upstream event (an error status) consumed nothing; one that was
   * cancelled or timed out did (the upstream had the request).
   */
  record Meter(int promptTokens, Consumption consumption) {}

  /** Optional parts of assembly: text tool-call parsing, watchdogs, usage reports. */
  record Options(ToolCallTextFilter textCalls, Watchdog watchdog, Meter meter) {
    static final Options NONE = new Options(null, null, null);

    Options(ToolCallTextFilter textCalls, Watchdog watchdog) {
      this(textCalls, watchdog, null);
    }
  }

  private static final VarHandle REPORTED;
  private static final VarHandle ENDED;
  private static final VarHandle ASKED_AT;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      REPORTED = l.findVarHandle(StreamAssembler.class, "reported", boolean.class);
      ENDED = l.findVarHandle(StreamAssembler.class, "ended", boolean.class);
      ASKED_AT = l.findVarHandle(StreamAssembler.class, "askedAt", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final EventPublisher<StreamChunk> out;
  private final String provider;
  // Made when first needed: a held stream of text never needs them.
  private ToolCallAccumulator toolCalls;
  private Map<String, String> metadata;
  private List<ReasoningBlock> reasoningBlocks;
  private volatile Flow.Subscription upstream;
  private String model;
  private boolean modelAnnounced;
  private volatile Usage usage = Usage.ZERO;
  private final Meter meter;
  private volatile boolean reported;
  // Characters of text, reasoning and tool calls received: written by the serial signals only.
  private volatile long charsOut;
  private StreamEvent.Finish finish;
  private final ToolCallTextFilter textCalls;
  private final Watchdog watchdog;
  private volatile boolean ended;
  // When the outstanding upstream request was made (the watchdog clock's ticks), or 0 when none is.
  private volatile long askedAt;
  private volatile boolean sawEvent;
  private volatile ScheduledFuture<?> timer;
  private int textCallsSent;
  private int nativeCalls;

  private StreamAssembler(
      EventPublisher<StreamChunk> out, String provider, String model, Options options) {
    this.out = out;
    this.textCalls = options.textCalls();
    this.watchdog = options.watchdog();
    this.meter = options.meter();
    this.provider = provider;
    this.model = model;
  }

  /** A cold publisher of the assembled chunks of {@code events}. */
  static Flow.Publisher<StreamChunk> assemble(
      Flow.Publisher<StreamEvent> events, String provider, String model) {
    return assemble(events, provider, model, Options.NONE);
  }

  /**
   * As above; with a {@code textCalls} filter (for models without native tool calls), content is
   * passed through it so calls written in the text become tool calls and never show as prose.
   */
  static Flow.Publisher<StreamChunk> assemble(
      Flow.Publisher<StreamEvent> events,
      String provider,
      String model,
      ToolCallTextFilter textCalls) {
    return assemble(events, provider, model, new Options(textCalls, null));
  }

  /** As above, with every option. */
  static Flow.Publisher<StreamChunk> assemble(
      Flow.Publisher<StreamEvent> events, String provider, String model, Options options) {
    return new EventPublisher<>(
        out -> {
          StreamAssembler assembler = new StreamAssembler(out, provider, model, options);
          out.onCancel(assembler::cancel);
          out.onDemand(assembler::pull);
          events.subscribe(assembler);
        });
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    upstream = subscription;
    if (out.isCancelled()) {
      // The caller cancelled before the provider subscribed: abort the request just started.
      subscription.cancel();
      return;
    }
    pull();
  }

  @Override
  public void onNext(StreamEvent event) {
    sawEvent = true;
    if (ended) {
      return;
    }
    askedAt = 0;
    StreamChunk chunk = chunkOf(event);
    if (chunk != null) {
      out.emit(chunk);
    }
    pull();
  }

  @Override
  public void onError(Throwable failure) {
    if (!ENDED.compareAndSet(this, false, true)) {
      return;
    }
    disarm();
    report(false, failure);
    out.fail(failure);
  }

  @Override
  public void onComplete() {
    if (!ENDED.compareAndSet(this, false, true)) {
      return;
    }
    disarm();
    if (textCalls != null) {
      ToolCallTextFilter.Result rest = textCalls.finish();
      if (!rest.text().isEmpty()) {
        out.emit(delta(rest.text(), "", List.of()));
      }
      emitTextCalls(rest.calls());
      if (textCallsSent > 0 && (finish == null || finish.reason() == StopReason.STOP)) {
        finish =
            new StreamEvent.Finish(
                StopReason.TOOL_CALLS, finish == null ? "" : finish.nativeReason());
      }
    }
    boolean calls = toolCalls != null && !toolCalls.isEmpty();
    StopReason reason =
        finish != null ? finish.reason() : calls ? StopReason.TOOL_CALLS : StopReason.STOP;
    String nativeReason = finish != null ? finish.nativeReason() : "";
    report(true, null);
    out.emit(
        StreamChunk.builder(model)
            .toolCalls(toolCalls == null ? List.of() : toolCalls.complete())
            .finish(reason, nativeReason, usage)
            .provider(provider)
            .metadata(metadata == null ? Map.of() : metadata)
            .reasoningBlocks(reasoningBlocks == null ? List.of() : reasoningBlocks)
            .build());
    out.complete();
  }

  /**
   * Reports the attempt's consumption once: {@code clean} at the final chunk, else at a failure
   * ({@code failure}) or a cancel (null).
   */
  private void report(boolean clean, Throwable failure) {
    if (meter == null || !REPORTED.compareAndSet(this, false, true)) {
      return;
    }
    Usage u = usage;
    if (u.completionTokens() > 0 || (clean && u.totalTokens() > 0)) {
      meter.consumption().consumed(model, u, false);
      return;
    }
    if (!clean && failure != null && !sawEvent && !(failure instanceof ProviderException.Timeout)) {
      return; // refused with an error status: nothing was generated or billed
    }
    int prompt = u.promptTokens() > 0 ? u.promptTokens() : meter.promptTokens();
    meter
        .consumption()
        .consumed(
            model,
            new Usage(
                prompt,
                UsageEstimate.tokens(charsOut),
                u.cacheReadTokens(),
                u.cacheWriteTokens(),
                0),
            true);
  }

  private StreamChunk chunkOf(StreamEvent event) {
    countChars(event);
    if (event instanceof StreamEvent.ContentDelta d) {
      if (textCalls != null) {
        String safe = textCalls.feed(d.text());
        // Calls found in this piece are sent as their own chunks, after the text before them.
        if (!safe.isEmpty()) {
          out.emit(delta(safe, "", List.of()));
        }
        emitTextCalls(textCalls.finishedCalls());
        return null;
      }
      return delta(d.text(), "", List.of());
    } else if (event instanceof StreamEvent.ReasoningDelta d) {
      return delta("", d.text(), List.of());
    } else if (event instanceof StreamEvent.ToolCallDelta d) {
      nativeCalls = Math.max(nativeCalls, d.index() + 1);
      toolCalls().add(d);
      return delta("", "", List.of(d));
    } else if (event instanceof StreamEvent.ReasoningBlockEnd b) {
      if (reasoningBlocks == null) {
        reasoningBlocks = new ArrayList<>();
      }
      reasoningBlocks.add(b.block());
    } else if (event instanceof StreamEvent.ToolCallSignature s) {
      toolCalls().sign(s);
    } else if (event instanceof StreamEvent.UsageReport u) {
      usage = u.usage();
    } else if (event instanceof StreamEvent.Finish f) {
      finish = f;
    } else if (event instanceof StreamEvent.ResponseInfo info) {
      if (!info.model().isEmpty()) {
        model = info.model();
      }
      if (!info.metadata().isEmpty()) {
        if (metadata == null) {
          metadata = new HashMap<>();
        }
        metadata.putAll(info.metadata());
      }
    }
    return null;
  }

  private void countChars(StreamEvent event) {
    long n = 0;
    if (event instanceof StreamEvent.ContentDelta d) {
      n = d.text().length();
    } else if (event instanceof StreamEvent.ReasoningDelta d) {
      n = d.text().length();
    } else if (event instanceof StreamEvent.ToolCallDelta d) {
      n =
          (d.name() == null ? 0 : d.name().length())
              + (d.argumentsDelta() == null ? 0 : d.argumentsDelta().length());
    }
    if (n > 0) {
      charsOut += n;
    }
  }

  /** Sends each call parsed from text, not sent yet, as one whole tool-call delta. */
  private void emitTextCalls(List<ToolCall> found) {
    for (int i = textCallsSent; i < found.size(); i++) {
      ToolCall call = found.get(i);
      StreamEvent.ToolCallDelta d =
          new StreamEvent.ToolCallDelta(
              nativeCalls + i,
              call.id(),
              call.name(),
              call.rawArguments().isEmpty() ? call.arguments() : call.rawArguments());
      toolCalls().add(d);
      out.emit(delta("", "", List.of(d)));
    }
    textCallsSent = Math.max(textCallsSent, found.size());
  }

  private ToolCallAccumulator toolCalls() {
    if (toolCalls == null) {
      toolCalls = new ToolCallAccumulator();
    }
    return toolCalls;
  }

  private StreamChunk delta(
      String content, String reasoning, List<StreamEvent.ToolCallDelta> calls) {
    // The model is announced on the first chunk and the final one, as the contract says.
    String announced = modelAnnounced ? "" : model;
    modelAnnounced = true;
    return StreamChunk.delta(content, reasoning, calls, announced);
  }

  private void pull() {
    Flow.Subscription s = upstream;
    if (s == null || ended || !out.wantsMore()) {
      return;
    }
    // Without a watchdog only whether a request is outstanding matters, not since when.
    long now = watchdog == null ? 1 : watchdog.clock().nanoTime();
    if (ASKED_AT.compareAndSet(this, 0L, now == 0 ? 1L : now)) {
      if (watchdog != null && timer == null) {
        schedule(limit());
      }
      s.request(1);
    }
  }

  /**
   * One timer per stream, not one per event: it wakes when the current wait could first exceed its
   * limit, and sleeps again for what is left if an event came meanwhile.
   */
  private void schedule(Duration delay) {
    timer = watchdog.scheduler().schedule(this::check, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  private Duration limit() {
    return sawEvent ? watchdog.idle() : watchdog.firstToken();
  }

  private void check() {
    if (ended) {
      return;
    }
    Duration limit = limit();
    long asked = askedAt;
    if (asked == 0) {
      // Nothing is asked of the upstream: a slow caller, not a stalled upstream.
      schedule(limit);
      return;
    }
    long waited = watchdog.clock().nanoTime() - asked;
    if (waited >= limit.toNanos()) {
      stalled(limit);
    } else {
      schedule(Duration.ofNanos(limit.toNanos() - waited));
    }
  }

  /** Stops the stall timer: the stream ended. */
  private void disarm() {
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
  }

  private void stalled(Duration limit) {
    Flow.Subscription s = upstream;
    if (s != null) {
      s.cancel();
    }
    String what = sawEvent ? "sent nothing more for " : "sent no first event within ";
    onError(
        new ProviderException.Timeout(
            new ProviderException.Origin(provider, model, 0),
            provider + " " + what + limit.toMillis() + " ms; the stream was stopped",
            null,
            limit));
  }

  private void cancel() {
    disarm();
    if (!(boolean) ENDED.getAndSet(this, true)) {
      report(false, null);
    }
    Flow.Subscription s = upstream;
    if (s != null) {
      s.cancel();
    }
  }
}
