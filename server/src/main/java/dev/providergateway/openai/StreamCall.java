package dev.providergateway.openai;

import dev.providergateway.api.ErrorMapper;
import dev.providergateway.observability.DoorCall;
import dev.providergateway.provider.StreamChunk;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Flow;

/**
 * A streamed chat completion: the upstream's chunks as SSE {@code data:} events, asked for one at a
 * time while the channel is writable (a slow reader slows the upstream read), ending with {@code
 * [DONE]}; a failure after output is an error event and the connection closes without {@code
 * [DONE]}. Flow signals arrive on upstream threads and hop onto the channel's event loop, where all
 * state is touched.
 */
final class StreamCall extends InFlight implements Flow.Subscriber<StreamChunk> {
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
  private final DoorHandler handler;
  private final ChannelHandlerContext ctx;
  private final DoorCall call;
  private final DoorGeneration generation;
  private final dev.providergateway.auth.RequestHooks.Tracker tracker;
  private final String id;
  private final long created;
  // The flag, not the request: a held stream must not keep the caller's messages.
  private final boolean includeUsage;
  private final boolean keepAlive;
  private Flow.Subscription subscription;
  private boolean headersSent;
  private boolean pending;
  private boolean over;
  private int streamedToolCalls;
  private String model = "";

  StreamCall(
      DoorHandler handler,
      DoorCall call,
      DoorGeneration generation,
      dev.providergateway.auth.RequestHooks.Tracker tracker,
      String id,
      long created,
      boolean includeUsage,
      boolean keepAlive) {
    this.handler = handler;
    this.ctx = handler.ctx();
    this.call = call;
    this.generation = generation;
    this.tracker = tracker;
    this.id = id;
    this.created = created;
    this.includeUsage = includeUsage;
    this.keepAlive = keepAlive;
  }

  // Flow signals arrive on upstream threads; each hops onto this channel's event loop, in order.

  @Override
  public void onSubscribe(Flow.Subscription s) {
    ctx.executor().execute(() -> subscribed(s));
  }

  @Override
  public void onNext(StreamChunk chunk) {
    ctx.executor().execute(() -> next(chunk));
  }

  @Override
  public void onError(Throwable failure) {
    ctx.executor().execute(() -> failed(failure));
  }

  @Override
  public void onComplete() {
    ctx.executor().execute(this::completed);
  }

  private void subscribed(Flow.Subscription s) {
    subscription = s;
    if (over) {
      s.cancel();
      return;
    }
    demand();
  }

  private void demand() {
    if (!over && !pending && subscription != null && ctx.channel().isWritable()) {
      pending = true;
      subscription.request(1);
    }
  }

  @Override
  void writable() {
    demand();
  }

  private void next(StreamChunk chunk) {
    pending = false;
    if (over) {
      return;
    }
    boolean first = !headersSent;
    if (first) {
      tracker.firstOutput();
      HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
      response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
      response.headers().set("x-request-id", call.requestId());
      HttpUtil.setTransferEncodingChunked(response, true);
      HttpUtil.setKeepAlive(response, handler.keep(keepAlive));
      ctx.write(response);
      headersSent = true;
    }
    if (!chunk.model().isEmpty()) {
      model = chunk.model();
    }
    if (!chunk.isFinal()) {
      streamedToolCalls +=
          (int) chunk.toolCallDeltas().stream().filter(d -> !d.id().isEmpty()).count();
      ctx.writeAndFlush(new DefaultHttpContent(delta(chunk, first, List.of(), null)));
      demand();
      return;
    }
    over = true;
    tracker.completed(
        chunk.provider(),
        chunk.model(),
        chunk.usage().promptTokens(),
        chunk.usage().completionTokens());
    // Calls the model made that were not streamed as deltas (none, usually) go out whole.
    var whole =
        streamedToolCalls == 0
            ? chunk.toolCalls()
            : List.<dev.providergateway.provider.ToolCall>of();
    String finish = ChatCompletionJson.finishReason(chunk.stopReason());
    ctx.write(new DefaultHttpContent(delta(chunk, first, whole, finish)));
    if (includeUsage) {
      ctx.write(
          new DefaultHttpContent(
              DoorJson.sse(
                  ctx.alloc(),
                  g -> ChatCompletionJson.usageChunk(g, id, created, model, chunk.usage()))));
    }
    ByteBuf done = ctx.alloc().buffer(DONE.length).writeBytes(DONE);
    var written = ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultLastHttpContent(done));
    if (!handler.keep(keepAlive)) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
    call.succeeded();
    handler.end(generation);
    handler.finished(this);
    // The final chunk is the last; the publisher completes right after (ignored: over).
  }

  /** {@code chunk} as one {@code chat.completion.chunk} event. */
  private io.netty.buffer.ByteBuf delta(
      StreamChunk chunk,
      boolean first,
      List<dev.providergateway.provider.ToolCall> whole,
      String finish) {
    return DoorJson.sse(
        ctx.alloc(),
        g ->
            ChatCompletionJson.deltaChunk(
                g,
                id,
                created,
                model,
                first,
                chunk.content(),
                chunk.reasoningContent(),
                chunk.toolCallDeltas(),
                whole,
                finish,
                includeUsage));
  }

  private void failed(Throwable failure) {
    if (over) {
      return;
    }
    over = true;
    handler.end(generation);
    if (!headersSent) {
      handler.fail(call, failure, keepAlive);
      handler.finished(this);
      return;
    }
    com.google.rpc.Status status = ErrorMapper.toStatus(failure);
    call.failed(status);
    OpenAiErrors error = OpenAiErrors.of(status);
    // Output was sent: the stream ends with an error event and no [DONE], never a clean end.
    ctx.write(new DefaultHttpContent(DoorJson.sse(ctx.alloc(), error::write)));
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
  }

  private void completed() {
    if (!over) {
      failed(new IllegalStateException("stream ended without a final chunk"));
    }
  }

  @Override
  void disconnected() {
    if (over) {
      return;
    }
    over = true;
    if (subscription != null) {
      subscription.cancel();
    }
    call.cancelled();
    handler.end(generation);
  }

  @Override
  void cancelledAtShutdown() {
    if (over) {
      return;
    }
    disconnected();
    if (!headersSent) {
      handler.send(handler.shuttingDown(), false);
      return;
    }
    OpenAiErrors error =
        OpenAiErrors.local(
            503,
            "shutting_down",
            "the gateway shut down before this stream ended; the answer is incomplete");
    ctx.write(new DefaultHttpContent(DoorJson.sse(ctx.alloc(), error::write)));
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
  }
}
