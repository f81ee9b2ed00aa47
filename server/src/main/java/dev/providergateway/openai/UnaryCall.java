package dev.providergateway.openai;

import dev.providergateway.observability.DoorCall;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.CompletableFuture;

/**
 * A call answered with one JSON body (a chat completion, embeddings): {@code answer} reports the
 * outcome to the tracker and returns the body's writer; failures before that become the OpenAI
 * error shape.
 */
final class UnaryCall<T> extends InFlight {
  private final DoorHandler handler;
  private final ChannelHandlerContext ctx;
  private final DoorCall call;
  private final DoorGeneration generation;
  private final dev.providergateway.auth.RequestHooks.Tracker tracker;
  private final CompletableFuture<T> future;
  private final java.util.function.Function<T, DoorJson.JsonWriter> answer;
  private final boolean keepAlive;
  private boolean over;

  UnaryCall(
      DoorHandler handler,
      DoorCall call,
      DoorGeneration generation,
      dev.providergateway.auth.RequestHooks.Tracker tracker,
      CompletableFuture<T> future,
      java.util.function.Function<T, DoorJson.JsonWriter> answer,
      boolean keepAlive) {
    this.handler = handler;
    this.ctx = handler.ctx();
    this.call = call;
    this.generation = generation;
    this.tracker = tracker;
    this.future = future;
    this.answer = answer;
    this.keepAlive = keepAlive;
  }

  void done(T result, Throwable failure) {
    if (over) {
      return;
    }
    over = true;
    handler.end(generation);
    if (failure != null) {
      handler.fail(call, failure, keepAlive);
    } else {
      ByteBuf body;
      try {
        body = DoorJson.json(ctx.alloc(), answer.apply(result));
      } catch (RuntimeException e) {
        handler.fail(call, e, keepAlive);
        handler.finished(this);
        return;
      }
      FullHttpResponse response =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      response.headers().set("x-request-id", call.requestId());
      call.succeeded();
      handler.send(response, keepAlive);
    }
    handler.finished(this);
  }

  @Override
  void disconnected() {
    if (!over) {
      over = true;
      future.cancel(true);
      call.cancelled();
      handler.end(generation);
    }
  }

  @Override
  void cancelledAtShutdown() {
    boolean running = !over;
    disconnected();
    if (running) {
      handler.send(handler.shuttingDown(), false);
    }
  }
}
