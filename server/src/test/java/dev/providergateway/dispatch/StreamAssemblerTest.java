package dev.providergateway.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.EventPublisher;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ReasoningBlock;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.StreamChunk;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.Usage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class StreamAssemblerTest {
  private static final ProviderException.Origin ORIGIN =
      new ProviderException.Origin("p", "m", 503);

  private final EventPublisher<StreamEvent> upstream = new EventPublisher<>(p -> {});
  private final CountingPublisher counting = new CountingPublisher(upstream);

  /** Passes events through and counts the demand and cancels the assembler sends upstream. */
  private static final class CountingPublisher implements Flow.Publisher<StreamEvent> {
    private final Flow.Publisher<StreamEvent> delegate;
    final AtomicLong requested = new AtomicLong();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger cancels = new AtomicInteger();
    final AtomicInteger subscribes = new AtomicInteger();

    CountingPublisher(Flow.Publisher<StreamEvent> delegate) {
      this.delegate = delegate;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super StreamEvent> subscriber) {
      subscribes.incrementAndGet();
      delegate.subscribe(
          new Flow.Subscriber<StreamEvent>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
              subscriber.onSubscribe(
                  new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                      requests.incrementAndGet();
                      requested.addAndGet(n);
                      s.request(n);
                    }

                    @Override
                    public void cancel() {
                      cancels.incrementAndGet();
                      s.cancel();
                    }
                  });
            }

            @Override
            public void onNext(StreamEvent item) {
              subscriber.onNext(item);
            }

            @Override
            public void onError(Throwable t) {
              subscriber.onError(t);
            }

            @Override
            public void onComplete() {
              subscriber.onComplete();
            }
          });
    }
  }

  /** The downstream caller: records chunks and the terminal signal. */
  private static class Caller implements Flow.Subscriber<StreamChunk> {
    final List<StreamChunk> chunks = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger completions = new AtomicInteger();
    final AtomicReference<Throwable> error = new AtomicReference<>();
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
      error.set(t);
    }

    @Override
    public void onComplete() {
      completions.incrementAndGet();
    }

    StreamChunk last() {
      return chunks.get(chunks.size() - 1);
    }
  }

  private Caller subscribe() {
    Caller caller = new Caller();
    StreamAssembler.assemble(counting, "prov", "model-a").subscribe(caller);
    return caller;
  }

  private static StreamEvent content(String text) {
    return new StreamEvent.ContentDelta(text);
  }

  @Test
  void assemble_beforeSubscribe_doesNotSubscribeUpstream() {
    StreamAssembler.assemble(counting, "prov", "model-a");

    assertThat(counting.subscribes).hasValue(0);
  }

  @Test
  void subscribe_withoutDownstreamDemand_requestsNothingUpstream() {
    Caller caller = subscribe();
    upstream.emit(content("a"));

    assertThat(counting.subscribes).hasValue(1);
    assertThat(counting.requests).hasValue(0);
    assertThat(caller.chunks).isEmpty();
  }

  @Test
  void request_downstreamDemand_requestsOneEventAtATime() {
    Caller caller = subscribe();

    caller.subscription.request(5);

    assertThat(counting.requests).hasValue(1);
    assertThat(counting.requested).hasValue(1);
  }

  @Test
  void request_oneChunkWithMoreEventsQueuedUpstream_readsOnlyWhatIsDemanded() {
    Caller caller = subscribe();
    upstream.emit(content("a"));
    upstream.emit(content("b"));
    upstream.emit(content("c"));

    caller.subscription.request(1);

    assertThat(caller.chunks).extracting(StreamChunk::content).containsExactly("a");
    assertThat(counting.requested).hasValue(1);

    caller.subscription.request(1);

    assertThat(caller.chunks).extracting(StreamChunk::content).containsExactly("a", "b");
    assertThat(counting.requested).hasValue(2);
  }

  @Test
  void onNext_eventsWithoutChunk_keepReadingUpstream() {
    Caller caller = subscribe();
    upstream.emit(new StreamEvent.ResponseInfo("", Map.of()));
    upstream.emit(new StreamEvent.UsageReport(Usage.of(1, 1)));
    upstream.emit(content("a"));
    upstream.emit(content("b"));

    caller.subscription.request(1);

    assertThat(caller.chunks).extracting(StreamChunk::content).containsExactly("a");
    assertThat(counting.requested).hasValue(3);
  }

  @Test
  void onNext_deltas_becomeNonFinalChunks() {
    Caller caller = subscribe();
    caller.subscription.request(10);
    StreamEvent.ToolCallDelta call = new StreamEvent.ToolCallDelta(0, "c1", "f", "{\"a\":");

    upstream.emit(content("hello"));
    upstream.emit(new StreamEvent.ReasoningDelta("thinking"));
    upstream.emit(call);

    assertThat(caller.chunks).hasSize(3);
    assertThat(caller.chunks).noneMatch(StreamChunk::isFinal);
    assertThat(caller.chunks.get(0).content()).isEqualTo("hello");
    assertThat(caller.chunks.get(0).reasoningContent()).isEmpty();
    assertThat(caller.chunks.get(1).reasoningContent()).isEqualTo("thinking");
    assertThat(caller.chunks.get(1).content()).isEmpty();
    assertThat(caller.chunks.get(2).toolCallDeltas()).containsExactly(call);
    assertThat(caller.chunks.get(2).toolCalls()).isEmpty();
    assertThat(caller.chunks).allSatisfy(c -> assertThat(c.provider()).isEmpty());
  }

  @Test
  void onNext_firstDeltaCarriesTheModelAndLaterOnesDoNot() {
    Caller caller = subscribe();
    caller.subscription.request(10);

    upstream.emit(new StreamEvent.ReasoningDelta("r"));
    upstream.emit(content("a"));
    upstream.emit(content("b"));

    assertThat(caller.chunks).extracting(StreamChunk::model).containsExactly("model-a", "", "");
  }

  @Test
  void onNext_responseInfoBeforeFirstDelta_overridesTheModel() {
    Caller caller = subscribe();
    caller.subscription.request(10);

    upstream.emit(new StreamEvent.ResponseInfo("model-a-2024-06", Map.of("request_id", "r1")));
    upstream.emit(content("a"));
    upstream.emit(content("b"));
    upstream.complete();

    assertThat(caller.chunks)
        .extracting(StreamChunk::model)
        .containsExactly("model-a-2024-06", "", "model-a-2024-06");
    assertThat(caller.last().metadata()).containsExactly(Map.entry("request_id", "r1"));
  }

  @Test
  void onNext_responseInfoWithEmptyModel_keepsTheRequestedModel() {
    Caller caller = subscribe();
    caller.subscription.request(10);

    upstream.emit(new StreamEvent.ResponseInfo("", Map.of()));
    upstream.emit(content("a"));
    upstream.complete();

    assertThat(caller.chunks).extracting(StreamChunk::model).containsExactly("model-a", "model-a");
  }

  @Test
  void onNext_usageAndFinishAndResponseInfo_produceNoChunk() {
    Caller caller = subscribe();
    caller.subscription.request(10);

    upstream.emit(new StreamEvent.ResponseInfo("x", Map.of()));
    upstream.emit(new StreamEvent.UsageReport(Usage.of(3, 4)));
    upstream.emit(new StreamEvent.Finish(StopReason.LENGTH, "max_tokens"));

    assertThat(caller.chunks).isEmpty();
  }

  @Test
  void onComplete_textStream_endsWithOneFinalChunkWithStop() {
    Caller caller = subscribe();
    caller.subscription.request(10);
    upstream.emit(content("a"));
    upstream.emit(new StreamEvent.UsageReport(Usage.of(1, 1)));
    upstream.emit(new StreamEvent.UsageReport(Usage.of(7, 2)));

    upstream.complete();

    assertThat(caller.chunks).hasSize(2);
    assertThat(caller.chunks).filteredOn(StreamChunk::isFinal).hasSize(1);
    StreamChunk last = caller.last();
    assertThat(last.isFinal()).isTrue();
    assertThat(last.content()).isEmpty();
    assertThat(last.toolCalls()).isEmpty();
    assertThat(last.stopReason()).isEqualTo(StopReason.STOP);
    assertThat(last.nativeStopReason()).isEmpty();
    assertThat(last.usage()).isEqualTo(Usage.of(7, 2));
    assertThat(last.provider()).isEqualTo("prov");
    assertThat(last.model()).isEqualTo("model-a");
    assertThat(caller.completions).hasValue(1);
    assertThat(caller.error.get()).isNull();
  }

  @Test
  void onComplete_emptyStream_endsWithFinalChunkOfZeroUsage() {
    Caller caller = subscribe();
    caller.subscription.request(1);

    upstream.complete();

    assertThat(caller.chunks).hasSize(1);
    assertThat(caller.last().isFinal()).isTrue();
    assertThat(caller.last().usage()).isEqualTo(Usage.ZERO);
    assertThat(caller.last().stopReason()).isEqualTo(StopReason.STOP);
    assertThat(caller.completions).hasValue(1);
  }

  @Test
  void onComplete_toolCallFragments_finalChunkHasCompleteCallsAndToolCallsReason() {
    Caller caller = subscribe();
    caller.subscription.request(20);
    upstream.emit(new StreamEvent.ToolCallDelta(1, "c1", "second", "{\"b\""));
    upstream.emit(new StreamEvent.ToolCallDelta(0, "c0", "first", "{}"));
    upstream.emit(new StreamEvent.ToolCallDelta(1, "", "", ":2}"));

    upstream.complete();

    StreamChunk last = caller.last();
    assertThat(last.isFinal()).isTrue();
    assertThat(last.toolCalls())
        .containsExactly(
            ToolCall.of("c0", "first", "{}"), ToolCall.of("c1", "second", "{\"b\":2}"));
    assertThat(last.stopReason()).isEqualTo(StopReason.TOOL_CALLS);
  }

  @Test
  void onComplete_reasoningBlocksAndCallSignatures_carriedOnFinalChunk() {
    Caller caller = subscribe();
    caller.subscription.request(20);
    upstream.emit(new StreamEvent.ReasoningDelta("thinking..."));
    upstream.emit(
        new StreamEvent.ReasoningBlockEnd(new ReasoningBlock("thinking...", "sig-1", false)));
    upstream.emit(new StreamEvent.ToolCallDelta(0, "c0", "first", "{}"));
    upstream.emit(new StreamEvent.ToolCallSignature(0, "thought-sig"));

    upstream.complete();

    StreamChunk last = caller.last();
    assertThat(last.reasoningBlocks())
        .containsExactly(new ReasoningBlock("thinking...", "sig-1", false));
    assertThat(last.toolCalls())
        .containsExactly(new ToolCall("c0", "first", "{}", "", "thought-sig"));
    assertThat(caller.chunks)
        .filteredOn(c -> !c.isFinal())
        .allMatch(c -> c.reasoningBlocks().isEmpty());
  }

  @Test
  void onComplete_afterFinish_usesTheFinishReason() {
    Caller caller = subscribe();
    caller.subscription.request(20);
    upstream.emit(new StreamEvent.ToolCallDelta(0, "c0", "f", "{}"));
    upstream.emit(new StreamEvent.Finish(StopReason.LENGTH, "max_tokens"));

    upstream.complete();

    assertThat(caller.last().stopReason()).isEqualTo(StopReason.LENGTH);
    assertThat(caller.last().nativeStopReason()).isEqualTo("max_tokens");
    assertThat(caller.last().toolCalls()).containsExactly(ToolCall.of("c0", "f", "{}"));
  }

  @Test
  void onComplete_withoutDemandForTheFinalChunk_waitsForDemand() {
    Caller caller = subscribe();
    caller.subscription.request(1);
    upstream.emit(content("a"));

    upstream.complete();

    assertThat(caller.chunks).hasSize(1);
    assertThat(caller.completions).hasValue(0);

    caller.subscription.request(1);

    assertThat(caller.chunks).hasSize(2);
    assertThat(caller.last().isFinal()).isTrue();
    assertThat(caller.completions).hasValue(1);
  }

  @Test
  void onError_beforeAnyOutput_failsTheStreamWithoutChunks() {
    Caller caller = subscribe();
    caller.subscription.request(5);
    ProviderException failure = new ProviderException.Unavailable(ORIGIN, "down", null);
    upstream.emit(new StreamEvent.ResponseInfo("model-b", Map.of()));

    upstream.fail(failure);

    assertThat(caller.error.get()).isSameAs(failure);
    assertThat(caller.chunks).isEmpty();
    assertThat(caller.completions).hasValue(0);
  }

  @Test
  void onError_afterOutput_failsTheStreamAfterItsChunks() {
    Caller caller = subscribe();
    caller.subscription.request(5);
    ProviderException failure = new ProviderException.Connection(ORIGIN, "reset", null);
    upstream.emit(content("partial"));

    upstream.fail(failure);

    assertThat(caller.chunks).extracting(StreamChunk::content).containsExactly("partial");
    assertThat(caller.chunks).noneMatch(StreamChunk::isFinal);
    assertThat(caller.error.get()).isSameAs(failure);
  }

  @Test
  void cancel_downstream_cancelsUpstreamOnce() {
    AtomicInteger upstreamCancels = new AtomicInteger();
    upstream.onCancel(upstreamCancels::incrementAndGet);
    Caller caller = subscribe();
    caller.subscription.request(5);
    upstream.emit(content("a"));

    caller.subscription.cancel();
    caller.subscription.cancel();

    assertThat(upstreamCancels).hasValue(1);
    assertThat(upstream.isCancelled()).isTrue();
    assertThat(counting.cancels).hasValue(1);
  }

  @Test
  void cancel_downstream_stopsFurtherChunks() {
    Caller caller = subscribe();
    caller.subscription.request(5);
    upstream.emit(content("a"));

    caller.subscription.cancel();
    upstream.emit(content("b"));
    upstream.complete();

    assertThat(caller.chunks).extracting(StreamChunk::content).containsExactly("a");
    assertThat(caller.completions).hasValue(0);
  }

  @Test
  void cancel_insideDownstreamOnSubscribe_cancelsUpstream() {
    AtomicInteger upstreamCancels = new AtomicInteger();
    upstream.onCancel(upstreamCancels::incrementAndGet);
    Caller caller =
        new Caller() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            super.onSubscribe(s);
            s.cancel();
          }
        };

    StreamAssembler.assemble(counting, "prov", "model-a").subscribe(caller);

    assertThat(upstreamCancels).hasValue(1);
  }
}
