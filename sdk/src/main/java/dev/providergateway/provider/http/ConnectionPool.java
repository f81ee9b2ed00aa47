package dev.providergateway.provider.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.DefaultNameResolver;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Keep-alive HTTP/1.1 connections to one upstream origin (scheme, host, port): one LIFO pool of
 * idle connections per event loop, so an exchange started on a loop reuses a connection that lives
 * on that loop. Connections are opened on demand without a cap (the gateway's bulkheads bound
 * concurrency), idle ones close after {@link #IDLE}, and a connection is only returned after a
 * response was read to its end. Reads are manual ({@code AUTO_READ} off): an exchange reads the
 * socket only while its consumer wants data, which is how backpressure reaches the upstream through
 * TCP flow control.
 */
final class ConnectionPool implements AutoCloseable {
  /** How long an idle pooled connection is kept. */
  static final Duration IDLE = Duration.ofSeconds(30);

  /** Response header block limit; upstreams behind CDNs send a few KB of headers. */
  private static final int MAX_HEADER_BYTES = 64 * 1024;

  private final SimpleChannelPool[] perLoop;

  /** Roughly how many idle connections each loop's pool holds (for callers not on a loop). */
  private final AtomicIntegerArray idle;

  private final UpstreamTransport transport;
  private final String host;
  private final int port;
  private volatile boolean closed;

  ConnectionPool(
      UpstreamTransport transport, String host, int port, SslContext tls, Duration connectTimeout) {
    this.transport = transport;
    this.host = host;
    this.port = port;
    AddressResolverGroup<InetSocketAddress> resolvers = new OffLoopResolvers(transport);
    int connectMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis()));
    this.perLoop = new SimpleChannelPool[transport.loopCount()];
    this.idle = new AtomicIntegerArray(perLoop.length);
    int i = 0;
    for (EventExecutor e : transport.eventLoopGroup()) {
      Bootstrap b =
          new Bootstrap()
              .group((EventLoop) e)
              .channel(transport.channelType())
              .resolver(resolvers)
              .remoteAddress(InetSocketAddress.createUnresolved(host, port))
              .option(ChannelOption.AUTO_READ, false)
              .option(ChannelOption.TCP_NODELAY, true)
              .option(ChannelOption.SO_KEEPALIVE, true)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis);
      perLoop[i++] =
          new SimpleChannelPool(
              b,
              new AbstractChannelPoolHandler() {
                @Override
                public void channelCreated(Channel ch) {
                  if (tls != null) {
                    ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), host, port));
                  }
                  ch.pipeline()
                      .addLast("http", new HttpClientCodec(4096, MAX_HEADER_BYTES, 64 * 1024))
                      .addLast(
                          "idle", new IdleStateHandler(0, 0, IDLE.toSeconds(), TimeUnit.SECONDS))
                      .addLast("exchange", new ConnectionHandler(ConnectionPool.this));
                }
              },
              ConnectionPool::reusable,
              true,
              true);
    }
  }

  /**
   * The loop for an exchange: the caller's own loop when it runs on one (the gateway serves calls
   * on the loops), otherwise a loop holding an idle connection, otherwise the next loop in turn.
   */
  EventLoop loopFor(EventLoop callersLoop) {
    if (callersLoop != null) {
      return callersLoop;
    }
    for (int i = 0; i < perLoop.length; i++) {
      if (idle.get(i) > 0) {
        return transport.loop(i);
      }
    }
    return transport.eventLoopGroup().next();
  }

  /**
   * The pool's health check, on acquire and on release: only an open connection that no exchange
   * holds or gave up on (a cancelled or failed one closes it, but the close may still be in flight)
   * is handed out or kept.
   */
  private static Future<Boolean> reusable(Channel ch) {
    ConnectionHandler h = ch.pipeline().get(ConnectionHandler.class);
    boolean ok = ch.isActive() && h != null && h.exchange == null && !h.discarded;
    return ch.eventLoop().newSucceededFuture(ok);
  }

  /** Takes an idle connection on {@code loop}, or opens one; completes on {@code loop}. */
  Future<Channel> acquire(EventLoop loop) {
    return perLoop[transport.indexOf(loop)].acquire(loop.newPromise());
  }

  /**
   * Puts a connection whose last response was read to its end back for reuse. A read is left
   * pending so that the upstream closing the idle connection is noticed at once.
   */
  void release(Channel ch) {
    ConnectionHandler h = ch.pipeline().get(ConnectionHandler.class);
    if (closed || !ch.isActive() || h == null || h.exchange != null || h.discarded) {
      ch.close();
      return;
    }
    ch.read();
    int i = transport.indexOf(ch.eventLoop());
    h.idle = true;
    idle.incrementAndGet(i);
    perLoop[i].release(ch);
  }

  /** A pooled connection left the idle set (taken for an exchange, or closed). */
  private void leftIdle(Channel ch) {
    idle.decrementAndGet(transport.indexOf(ch.eventLoop()));
  }

  /** The value of the {@code host} header for this origin. */
  String hostHeader(boolean tls) {
    boolean defaultPort = tls ? port == 443 : port == 80;
    String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    return defaultPort ? h : h + ":" + port;
  }

  /** Closes the idle connections; exchanges in flight finish and then close theirs. */
  @Override
  public void close() {
    closed = true;
    for (SimpleChannelPool pool : perLoop) {
      pool.closeAsync();
    }
  }

  /** The per-connection handler: hands what it reads to the connection's current exchange. */
  static final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private final ConnectionPool pool;

    /** The exchange using the connection; null while it is idle in the pool. */
    Exchange exchange;

    /** How many exchanges this connection has carried (0 for a fresh one). */
    int served;

    /** True while the connection waits in its pool. */
    boolean idle;

    /** True once an exchange gave the connection up (cancelled, failed, stale): never reused. */
    boolean discarded;

    private Channel channel;

    ConnectionHandler(ConnectionPool pool) {
      this.pool = pool;
    }

    /** Called when an exchange takes the connection. */
    void taken(Exchange x) {
      if (idle) {
        idle = false;
        pool.leftIdle(channel);
      }
      exchange = x;
      served++;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Exchange x = exchange;
      try {
        if (x == null) {
          // Nothing is expected on an idle connection: whatever it is, the connection is unusable.
          ctx.close();
        } else if (msg instanceof HttpObject http) {
          x.onRead(http);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      Exchange x = exchange;
      if (x != null) {
        x.onReadComplete();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (idle) {
        idle = false;
        pool.leftIdle(ctx.channel());
      }
      Exchange x = exchange;
      if (x != null) {
        x.onClosed();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Exchange x = exchange;
      if (x != null) {
        x.onException(cause);
      } else {
        ctx.close();
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent && exchange == null) {
        ctx.close();
      }
      ctx.fireUserEventTriggered(evt);
    }
  }

  /** Resolves host names with the JDK resolver on the transport's resolver threads. */
  private static final class OffLoopResolvers extends AddressResolverGroup<InetSocketAddress> {
    private final UpstreamTransport transport;

    OffLoopResolvers(UpstreamTransport transport) {
      this.transport = transport;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor loop) {
      EventExecutor dns = transport.resolver().next();
      return new DefaultNameResolver(dns).asAddressResolver();
    }
  }
}
