package dev.providergateway.openai;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Netty's aggregator, refusing in OpenAI's error shape, naming what was wrong, the requests the
 * door does not read whole: a body over {@code limits.max_request_bytes} (413), request headers
 * over {@link OpenAiDoor#MAX_HEADER_BYTES} (431), a request line over {@link
 * OpenAiDoor#MAX_LINE_BYTES} (414), and a message Netty cannot parse (400). Netty would answer the
 * first with an empty 413 and pass the others on as failed messages.
 *
 * <p>A request that asked {@code Expect: 100-continue} (curl does for bodies over 1 MB) gets its
 * 413 in place of the 100, and the connection stays usable. Every other refusal is sent with {@code
 * Connection: close}, but the connection is not closed right after it. A socket closed with unread
 * bytes in its receive buffer sends a TCP reset, and a reset that reaches the client before it has
 * read the answer discards the answer from the client's buffer: the caller would see "connection
 * reset" instead of the refusal. So what the caller still sends is read and dropped, and the
 * connection is closed once the request's end has arrived, or {@link #LINGER} after the answer was
 * sent, whichever comes first (the "lingering close" of RFC 9112 section 9.6, as Apache httpd and
 * nginx do it). The dropped bytes cost no memory; a client that keeps sending is cut off by the
 * linger time.
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
    } else if (msg instanceof DecoderResultProvider m && m.decoderResult().isFailure()) {
      // Netty's decoder now drops every later byte of the connection: answer, then linger.
      Throwable cause = m.decoderResult().cause();
      ReferenceCountUtil.release(msg);
      releaseCurrentMessage();
      refuse(ctx, malformed(ctx.alloc(), cause));
      return;
    } else {
      super.channelRead(ctx, msg);
    }
    // The refused request's end arrived (possibly in the very message that was refused).
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
    refuse(ctx, tooLarge(ctx.alloc()));
  }

  /**
   * Sends {@code answer} with {@code Connection: close}, drops what the caller still sends, and
   * closes when the request's end arrives or {@link #LINGER} after the answer went out.
   */
  private void refuse(ChannelHandlerContext ctx, FullHttpResponse answer) {
    HttpUtil.setKeepAlive(answer, false);
    dropping = true;
    ctx.writeAndFlush(answer)
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

  /** The answer to a message Netty could not decode, naming what was wrong. */
  private static FullHttpResponse malformed(ByteBufAllocator alloc, Throwable cause) {
    if (cause instanceof TooLongHttpHeaderException) {
      return refusal(
          alloc,
          HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "request_header_fields_too_large",
          "request headers are larger than " + OpenAiDoor.MAX_HEADER_BYTES + " bytes");
    }
    if (cause instanceof TooLongHttpLineException) {
      return refusal(
          alloc,
          HttpResponseStatus.REQUEST_URI_TOO_LONG,
          "uri_too_long",
          "request line is longer than " + OpenAiDoor.MAX_LINE_BYTES + " bytes");
    }
    // The cause's text may quote the caller's bytes; the answer does not.
    return refusal(
        alloc,
        HttpResponseStatus.BAD_REQUEST,
        "invalid_http",
        "malformed HTTP request: its request line, a header or its chunked body could not be"
            + " parsed");
  }

  private FullHttpResponse tooLarge(ByteBufAllocator alloc) {
    return refusal(
        alloc,
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        "request_too_large",
        "request body is larger than limits.max_request_bytes (" + max + " bytes)");
  }

  private static FullHttpResponse refusal(
      ByteBufAllocator alloc, HttpResponseStatus status, String code, String message) {
    FullHttpResponse response =
        DoorJson.errorResponse(alloc, OpenAiErrors.local(status.code(), code, message), null);
    HttpUtil.setContentLength(response, response.content().readableBytes());
    return response;
  }
}
