package dev.providergateway.openai;

import static java.util.Objects.requireNonNull;

import dev.providergateway.observability.Telemetry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The OpenAI-compatible HTTP door: a Netty HTTP/1.1 server (keep-alive, pipelined requests answered
 * in order; h2c by prior knowledge or by {@code Upgrade}) on the gateway's own event loops, serving
 * {@code POST /v1/chat/completions}, {@code GET /v1/models} and {@code GET /healthz} through the
 * same dispatcher, admission and telemetry as the gRPC door (see {@link DoorHandler}).
 *
 * <p>With {@link Settings#tls()} set (the gRPC port's certificate when {@code server.tls} is on)
 * the same routes are served over TLS only: HTTP/2 or HTTP/1.1 as the client's ALPN asks; a
 * plaintext request on that port fails the handshake and is closed.
 *
 * <p>Bound by {@link #bind}. At shutdown the gateway calls {@link #drain}, waits for running calls
 * with {@link #awaitCalls} within its grace period, then {@link #close}s it (cancelling what is
 * left), before the event loops. Thread-safe.
 */
public final class OpenAiDoor implements Closeable {
  private static final System.Logger LOG = System.getLogger(OpenAiDoor.class.getName());

  /** A channel that stays unwritable past this many queued bytes stops asking upstream for more. */
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(16 * 1024, 64 * 1024);

  private final Channel server;
  private final AtomicInteger open;
  private final DoorDrain drain;

  private OpenAiDoor(Channel server, AtomicInteger open, DoorDrain drain) {
    this.server = server;
    this.open = open;
    this.drain = drain;
  }

  /**
   * What the door is built from.
   *
   * @param tls the server TLS context (ALPN h2 and http/1.1), or null to serve cleartext
   */
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
      Supplier<Boolean> serving,
      SslContext tls) {
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
    DoorDrain drain = new DoorDrain();
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
                    drain.opened(ch);
                    // A connection idle for 5 minutes (no request, no response) is closed.
                    ch.pipeline().addLast(new IdleStateHandler(0, 0, 300, TimeUnit.SECONDS));
                    if (s.tls() == null) {
                      // HTTP/1.1, or h2c by prior knowledge or by Upgrade.
                      cleartext(ch, s, drain);
                    } else {
                      // TLS (its own 10 s handshake timeout), then HTTP/2 or HTTP/1.1 by ALPN.
                      ch.pipeline()
                          .addLast(s.tls().newHandler(ch.alloc()))
                          .addLast(new Alpn(s, drain));
                    }
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
    return new OpenAiDoor(bound.channel(), open, drain);
  }

  /** The longest request line, and the most header bytes, the door reads (414 and 431 beyond). */
  static final int MAX_LINE_BYTES = 8192;

  static final int MAX_HEADER_BYTES = 64 * 1024;

  private static HttpServerCodec codec() {
    return new HttpServerCodec(MAX_LINE_BYTES, MAX_HEADER_BYTES, 8192);
  }

  private static void cleartext(Channel ch, Settings s, DoorDrain drain) {
    HttpServerCodec codec = codec();
    ch.pipeline()
        // Each HTTP/2 stream gets a pipeline of its own (see H2Streams).
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
                                new Http2MultiplexHandler(new H2Streams(s, drain)))
                            : null,
                    s.maxBodyBytes()),
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel h2) {
                    h2.pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forServer().build(),
                            new Http2MultiplexHandler(new H2Streams(s, drain)));
                  }
                }))
        // The aggregator before the keep-alive handler: its 413 must not be closed at once (see
        // BoundedAggregator).
        .addLast(new BoundedAggregator(s.maxBodyBytes()))
        .addLast(new HttpServerKeepAliveHandler())
        .addLast(new DoorHandler(s, drain));
  }

  /** After the TLS handshake: HTTP/2 when the client's ALPN offered it, else HTTP/1.1. */
  private static final class Alpn extends ApplicationProtocolNegotiationHandler {
    private final Settings settings;
    private final DoorDrain drain;

    Alpn(Settings settings, DoorDrain drain) {
      super(ApplicationProtocolNames.HTTP_1_1);
      this.settings = settings;
      this.drain = drain;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        ctx.pipeline()
            .addLast(
                Http2FrameCodecBuilder.forServer().build(),
                new Http2MultiplexHandler(new H2Streams(settings, drain)));
        return;
      }
      ctx.pipeline()
          .addLast(codec())
          .addLast(new BoundedAggregator(settings.maxBodyBytes()))
          .addLast(new HttpServerKeepAliveHandler())
          .addLast(new DoorHandler(settings, drain));
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      // Plain HTTP to the TLS port, an untrusted client certificate, a client that gave up.
      LOG.log(System.Logger.Level.DEBUG, "HTTP door TLS handshake failed", cause);
      ctx.close();
    }
  }

  /** The bound port. */
  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Open HTTP connections now. */
  int openConnections() {
    return open.get();
  }

  /**
   * Starts draining: no new connections, and new requests on open ones are refused with 503 and
   * {@code Connection: close}; running calls go on.
   */
  public void drain() {
    drain.start();
    server.close().syncUninterruptibly();
  }

  /**
   * Waits up to {@code within} for the running calls to end; returns true when none is left.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitCalls(Duration within) throws InterruptedException {
    return drain.awaitIdle(within);
  }

  /** Calls running now. */
  public int callsInFlight() {
    return drain.inFlight();
  }

  /**
   * Drains (if not yet), cancels every call still running (its upstream request is cancelled, a
   * stream ends with an error event, a unary call gets 503) and closes every connection.
   */
  @Override
  public void close() {
    drain();
    drain.cancelRemaining(Duration.ofSeconds(5));
  }

  /**
   * The pipeline of one HTTP/2 stream: frames to HTTP objects, the same aggregator and handler as
   * HTTP/1.1. A stream's writability follows HTTP/2 flow control, so a slow reader slows the
   * upstream read here too.
   */
  private static final class H2Streams extends ChannelInitializer<Channel> {
    private final Settings settings;
    private final DoorDrain drain;

    H2Streams(Settings settings, DoorDrain drain) {
      this.settings = settings;
      this.drain = drain;
    }

    @Override
    protected void initChannel(Channel stream) {
      stream.config().setWriteBufferWaterMark(WATER_MARK);
      stream
          .pipeline()
          .addLast(new Http2StreamFrameToHttpObjectCodec(true))
          .addLast(new BoundedAggregator(settings.maxBodyBytes()))
          .addLast(new DoorHandler(settings, drain));
    }
  }
}
