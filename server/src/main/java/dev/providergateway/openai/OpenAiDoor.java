package dev.providergateway.openai;

import static java.util.Objects.requireNonNull;

import dev.providergateway.observability.Telemetry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The OpenAI-compatible HTTP door: a Netty HTTP/1.1 server (keep-alive, pipelined requests answered
 * in order; h2c by prior knowledge or by {@code Upgrade}) on the gateway's own event loops, serving
 * {@code POST /v1/chat/completions}, {@code GET /v1/models} and {@code GET /healthz} through the
 * same dispatcher, admission and telemetry as the gRPC door (see {@link DoorHandler}).
 *
 * <p>Bound by {@link #bind}; the gateway closes it at shutdown, before the event loops.
 * Thread-safe.
 */
public final class OpenAiDoor implements Closeable {
  /** A channel that stays unwritable past this many queued bytes stops asking upstream for more. */
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(16 * 1024, 64 * 1024);

  private final Channel server;
  private final AtomicInteger open;

  private OpenAiDoor(Channel server, AtomicInteger open) {
    this.server = server;
    this.open = open;
  }

  /** What the door is built from. */
  public record Settings(
      String host,
      int port,
      int maxBodyBytes,
      int maxConnections,
      EventLoopGroup loops,
      Class<? extends ServerChannel> channelType,
      Supplier<DoorGeneration> generations,
      Telemetry telemetry,
      Clock clock,
      Supplier<Boolean> serving) {
    public Settings {
      requireNonNull(host, "host");
      requireNonNull(loops, "loops");
      requireNonNull(channelType, "channelType");
      requireNonNull(generations, "generations");
      requireNonNull(telemetry, "telemetry");
      requireNonNull(clock, "clock");
      requireNonNull(serving, "serving");
    }
  }

  /**
   * Binds the door.
   *
   * @throws java.io.IOException when the address cannot be bound
   */
  public static OpenAiDoor bind(Settings s) throws java.io.IOException {
    AtomicInteger open = new AtomicInteger();
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(s.loops(), s.loops())
            .channel(s.channelType())
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (open.incrementAndGet() > s.maxConnections()) {
                      open.decrementAndGet();
                      ch.close();
                      return;
                    }
                    ch.closeFuture().addListener(f -> open.decrementAndGet());
                    HttpServerCodec codec = new HttpServerCodec(8192, 64 * 1024, 8192);
                    ch.pipeline()
                        // A connection idle for 5 minutes (no request, no response) is closed.
                        .addLast(new IdleStateHandler(0, 0, 300, TimeUnit.SECONDS))
                        // HTTP/1.1, or h2c by prior knowledge or by Upgrade: each HTTP/2 stream
                        // then gets a pipeline of its own (see H2Streams).
                        .addLast(
                            new CleartextHttp2ServerUpgradeHandler(
                                codec,
                                new HttpServerUpgradeHandler(
                                    codec,
                                    protocol ->
                                        AsciiString.contentEquals(
                                                Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                                            ? new Http2ServerUpgradeCodec(
                                                Http2FrameCodecBuilder.forServer().build(),
                                                new Http2MultiplexHandler(new H2Streams(s)))
                                            : null,
                                    s.maxBodyBytes()),
                                new ChannelInitializer<Channel>() {
                                  @Override
                                  protected void initChannel(Channel h2) {
                                    h2.pipeline()
                                        .addLast(
                                            Http2FrameCodecBuilder.forServer().build(),
                                            new Http2MultiplexHandler(new H2Streams(s)));
                                  }
                                }))
                        .addLast(new HttpServerKeepAliveHandler())
                        .addLast(new BoundedAggregator(s.maxBodyBytes()))
                        .addLast(new DoorHandler(s));
                  }
                });
    var bound = bootstrap.bind(new InetSocketAddress(s.host(), s.port())).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      throw new java.io.IOException(
          "OpenAI-compatible HTTP door on "
              + s.host()
              + ":"
              + s.port()
              + ": "
              + bound.cause().getMessage(),
          bound.cause());
    }
    return new OpenAiDoor(bound.channel(), open);
  }

  /** The bound port. */
  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Open HTTP connections now. */
  int openConnections() {
    return open.get();
  }

  /** Stops accepting connections; those open are closed with the event loops. */
  @Override
  public void close() {
    server.close().syncUninterruptibly();
  }

  /**
   * The pipeline of one HTTP/2 stream: frames to HTTP objects, the same aggregator and handler as
   * HTTP/1.1. A stream's writability follows HTTP/2 flow control, so a slow reader slows the
   * upstream read here too.
   */
  private static final class H2Streams extends ChannelInitializer<Channel> {
    private final Settings settings;

    H2Streams(Settings settings) {
      this.settings = settings;
    }

    @Override
    protected void initChannel(Channel stream) {
      stream.config().setWriteBufferWaterMark(WATER_MARK);
      stream
          .pipeline()
          .addLast(new Http2StreamFrameToHttpObjectCodec(true))
          .addLast(new BoundedAggregator(settings.maxBodyBytes()))
          .addLast(new DoorHandler(settings));
    }
  }

  /**
   * Netty's aggregator, answering a body over the limit in OpenAI's error shape (413 naming the
   * limit) instead of an empty response, and closing the connection (the rest of the body is not
   * read).
   */
  private static final class BoundedAggregator extends HttpObjectAggregator {
    private final int max;

    BoundedAggregator(int max) {
      super(max);
      this.max = max;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      FullHttpResponse response =
          DoorHandler.errorResponse(
              ctx.alloc(),
              OpenAiErrors.local(
                  HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code(),
                  "request_too_large",
                  "request body is larger than limits.max_request_bytes (" + max + " bytes)"),
              null);
      HttpUtil.setContentLength(response, response.content().readableBytes());
      HttpUtil.setKeepAlive(response, false);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
