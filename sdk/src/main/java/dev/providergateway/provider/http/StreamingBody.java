package dev.providergateway.provider.http;

import dev.providergateway.provider.EventPublisher;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * Reads a successful streaming response body into an {@link EventPublisher}, one buffer at a
 * time and only while the publisher's subscriber wants more, so the upstream socket is read no
 * faster than the caller reads (TCP flow control then slows the upstream). Cancelling the
 * publisher cancels the body subscription, which closes the connection.
 */
final class StreamingBody implements HttpResponse.BodySubscriber<Void> {
  private final EventPublisher<StreamEvent> out;
  private final StreamDecoder decoder;
  private final Origin origin;
  private final UnaryOperator<Throwable> refine;
  private final LineSplitter lines = new LineSplitter();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final AtomicBoolean pending = new AtomicBoolean();
  private volatile Flow.Subscription subscription;
  private boolean failed;

  StreamingBody(EventPublisher<StreamEvent> out, StreamDecoder decoder, Origin origin, UnaryOperator<Throwable> refine) {
    this.refine = refine;
    this.out = out;
    this.decoder = decoder;
    this.origin = origin;
  }

  @Override
  public CompletionStage<Void> getBody() {
    return done;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    out.onCancel(s::cancel);
    out.onDemand(this::pull);
    pull();
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    pending.set(false);
    if (failed) {
      return;
    }
    try {
      for (ByteBuffer buffer : buffers) {
        lines.feed(buffer, line -> decoder.onLine(line, out::emit));
      }
    } catch (CharacterCodingException e) {
      fail(new ProviderException.InvalidResponse(origin, origin.provider() + " sent a stream that is not valid UTF-8", e));
      return;
    } catch (LineSplitter.LineTooLong | SseDecoder.EventTooLarge e) {
      fail(new ProviderException.InvalidResponse(origin, origin.provider() + " sent an oversized stream: "
          + e.getMessage(), e));
      return;
    } catch (RuntimeException e) {
      fail(HttpErrors.fromThrowable(origin, e));
      return;
    }
    pull();
  }

  @Override
  public void onError(Throwable failure) {
    if (!failed) {
      failed = true;
      out.fail(refine.apply(HttpErrors.fromThrowable(origin, failure)));
    }
    done.complete(null);
  }

  @Override
  public void onComplete() {
    if (failed) {
      done.complete(null);
      return;
    }
    try {
      lines.finish(line -> decoder.onLine(line, out::emit));
      if (decoder instanceof SseDecoder sse) {
        sse.flush(out::emit);
      }
    } catch (CharacterCodingException e) {
      fail(new ProviderException.InvalidResponse(origin, origin.provider() + " sent a stream that is not valid UTF-8", e));
      return;
    } catch (RuntimeException e) {
      fail(HttpErrors.fromThrowable(origin, e));
      return;
    }
    if (decoder.finished()) {
      out.complete();
    } else {
      // The body ended without the protocol's end marker: the upstream died mid-stream.
      out.fail(refine.apply(new ProviderException.Connection(
          origin, origin.provider() + " closed the stream before it ended", null)));
    }
    done.complete(null);
  }

  private void fail(RuntimeException e) {
    failed = true;
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    out.fail(refine.apply(e));
    done.complete(null);
  }

  private void pull() {
    Flow.Subscription s = subscription;
    if (s != null && !failed && out.wantsMore() && pending.compareAndSet(false, true)) {
      s.request(1);
    }
  }
}
