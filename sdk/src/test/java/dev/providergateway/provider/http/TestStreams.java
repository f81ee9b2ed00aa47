package dev.providergateway.provider.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/** Stream subscribers and decoders the transport tests share. */
final class TestStreams {
  private TestStreams() {}

  /** Cancels a stream as soon as its first event arrives; {@code seen} tells whether one did. */
  static final class CancelAfterFirst implements Flow.Subscriber<StreamEvent> {
    final CompletableFuture<Boolean> seen;
    private Flow.Subscription subscription;

    CancelAfterFirst() {
      this(new CompletableFuture<>());
    }

    CancelAfterFirst(CompletableFuture<Boolean> seen) {
      this.seen = seen;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(1);
    }

    @Override
    public void onNext(StreamEvent item) {
      subscription.cancel();
      seen.complete(true);
    }

    @Override
    public void onError(Throwable t) {
      seen.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      seen.complete(false);
    }
  }

  /** Every NDJSON line is one content delta; the stream never ends on its own. */
  static final class LineEvents extends NdjsonDecoder {
    LineEvents() {
      super(new Origin("up", "m", 0));
    }

    @Override
    protected void onObject(JsonNode object, Consumer<StreamEvent> emit) {
      emit.accept(new StreamEvent.ContentDelta(object.path("t").asText()));
    }

    @Override
    public boolean finished() {
      return false;
    }
  }
}
