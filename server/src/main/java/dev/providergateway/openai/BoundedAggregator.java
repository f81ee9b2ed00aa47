package dev.providergateway.openai;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Netty's aggregator, answering a body over {@code limits.max_request_bytes} in OpenAI's error
 * shape (413 naming the limit) instead of Netty's empty 413, on both of its paths: a request that
 * asked {@code Expect: 100-continue} (curl does for bodies over 1 MB) gets it in place of the 100
 * and the connection stays usable; a request whose body is already on its way gets it with {@code
 * Connection: close}.
 *
 * <p>In the second case the connection is not closed right after the answer. A socket closed with
 * unread bytes in its receive buffer sends a TCP reset, and a reset that reaches the client before
 * it has read the answer discards the answer from the client's buffer: the caller sees "connection
 * reset" instead of the 413. So the rest of the request is read and dropped, and the connection is
 * closed once the request's end has arrived, or {@link #LINGER} after the answer was sent,
 * whichever comes first (the "lingering close" of RFC 9112 section 9.6, as Apache httpd and nginx
 * do it). The dropped bytes cost no memory; a client that keeps sending is cut off by the linger
 * time.
 *
 * <p>Sits before {@code HttpServerKeepAliveHandler}, whose write of a {@code Connection: close}
 * answer would otherwise close at once. One per HTTP/1.1 connection or HTTP/2 stream; event-loop
 * confined.
 */
final class BoundedAggregator extends HttpObjectAggregator {
  /**
   * How long the rest of a refused body is read and dropped before the connection closes anyway.
   */
  static final Duration LINGER = Duration.ofSeconds(2);

  private final int max;

  /** Set once a refusal was sent: the rest of the request is dropped. */
  private boolean dropping;

  /** The request's end has arrived (the connection closes as soon as the answer is written). */
  private boolean ended;

  /** The refusal has been written. */
  private boolean answered;

  BoundedAggregator(int max) {
    super(max);
    this.max = max;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    boolean end = msg instanceof LastHttpContent;
    if (dropping) {
      ReferenceCountUtil.release(msg);
    } else {
      super.channelRead(ctx, msg);
    }
    if (dropping && end) {
      ended = true;
      if (answered) {
        ctx.close();
      }
    }
  }

  @Override
  protected Object newContinueResponse(
      HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
    if (answer instanceof HttpResponse r
        && r.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
      ReferenceCountUtil.release(answer);
      // No body was sent: the connection stays open for the caller's next request.
      FullHttpResponse tooLarge = tooLarge(pipeline.channel().alloc());
      HttpUtil.setKeepAlive(tooLarge, HttpUtil.isKeepAlive(start));
      return tooLarge;
    }
    return answer;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    FullHttpResponse tooLarge = tooLarge(ctx.alloc());
    HttpUtil.setKeepAlive(tooLarge, false);
    dropping = true;
    ctx.writeAndFlush(tooLarge)
        .addListener(
            written -> {
              answered = true;
              if (!written.isSuccess() || ended) {
                ctx.close();
                return;
              }
              ctx.executor().schedule(() -> ctx.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
            });
  }

  private FullHttpResponse tooLarge(io.netty.buffer.ByteBufAllocator alloc) {
    FullHttpResponse response =
        DoorJson.errorResponse(
            alloc,
            OpenAiErrors.local(
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code(),
                "request_too_large",
                "request body is larger than limits.max_request_bytes (" + max + " bytes)"),
            null);
    HttpUtil.setContentLength(response, response.content().readableBytes());
    return response;
  }
}
