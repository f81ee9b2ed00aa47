package dev.providergateway.provider.http;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.DefaultNameResolver;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive HTTP/1.1 connections to one upstream origin (scheme, host, port), confined per event
 * loop: each loop owns a plain LIFO deque of its idle connections, a count of its open ones and a
 * bounded queue of exchanges waiting for one, all touched only on that loop, so taking and
 * returning a connection costs no lock, no promise and no cross-thread hop. An exchange started on
 * a loop (the gateway serves calls on the same loops) uses a connection of that loop.
 *
 * <p>Bounds ({@link Limits}): at most {@code maxConnectionsPerLoop} connections open (or opening)
 * per loop; past that an exchange waits for one to be returned or closed, and at most {@code
 * maxWaitersPerLoop} exchanges wait, past which an exchange fails at once with {@link Exhausted}.
 * Idle connections close after {@code idleTimeout} (one sweep task per loop, oldest first). A
 * connection closed by the upstream while idle leaves the deque when it closes (a read is kept
 * pending on idle connections, so the close is noticed at once), and a closed one is never handed
 * out. Reads are manual ({@code AUTO_READ} off): an exchange reads the socket only while its
 * consumer wants data, which is how backpressure reaches the upstream through TCP flow control.
 *
 * <p>Thread-safety: {@link #loopFor} and {@link #close} may be called from any thread; {@link
 * #acquire}, {@link #cancelWait} and {@link #release} only on the loop they name.
 */
final class ConnectionPool implements AutoCloseable {
  /** How long an idle pooled connection is kept by default. */
  static final Duration IDLE = Duration.ofSeconds(30);

  /** Response header block limit; upstreams behind CDNs send a few KB of headers. */
  private static final int MAX_HEADER_BYTES = 64 * 1024;

  /**
   * The pool's bounds, per origin and per event loop.
   *
   * @param maxConnectionsPerLoop connections open or opening at once on one loop (1..65,535: a
   *     loopback origin has no more source ports than that)
   * @param maxWaitersPerLoop exchanges waiting for a connection on one loop (0..65,535)
   * @param idleTimeout how long an unused connection is kept (> 0)
   */
  record Limits(int maxConnectionsPerLoop, int maxWaitersPerLoop, Duration idleTimeout) {
    /**
     * The defaults: 32,768 connections and 4,096 waiters per loop, 30 s idle. The gateway's
     * bulkheads bound concurrency first; this bound only stops a runaway from exhausting ports.
     */
    static final Limits DEFAULTS = new Limits(32_768, 4_096, IDLE);

    Limits {
      if (maxConnectionsPerLoop < 1 || maxConnectionsPerLoop > 65_535) {
        throw new IllegalArgumentException(
            "maxConnectionsPerLoop must be 1..65535, was " + maxConnectionsPerLoop);
      }
      if (maxWaitersPerLoop < 0 || maxWaitersPerLoop > 65_535) {
        throw new IllegalArgumentException(
            "maxWaitersPerLoop must be 0..65535, was " + maxWaitersPerLoop);
      }
      requireNonNull(idleTimeout, "idleTimeout");
      if (idleTimeout.isNegative() || idleTimeout.isZero()) {
        throw new IllegalArgumentException("idleTimeout must be > 0, was " + idleTimeout);
      }
    }
  }

  /**
   * Thrown (to the exchange, which reports it as a provider error) when a loop's connections are
   * all busy and its wait queue is full. No stack trace: it is a load condition, not a bug.
   */
  static final class Exhausted extends RuntimeException {
    Exhausted(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Who takes a connection: exactly one of the two methods is called, once, on the loop the
   * connection was asked for ({@link Exchange} is the one in production).
   */
  interface Lease {
    /**
     * A connection (its handler; {@link ConnectionHandler#channel()} is the channel) for this
     * lease; the lease now owns it and gives it back with {@link #release}.
     */
    void onConnection(ConnectionHandler connection);

    /** No connection: the connect failed, or the pool is exhausted ({@link Exhausted}). */
    void onConnectFailure(Throwable cause);
  }

  private final LoopPool[] perLoop;
  private final UpstreamTransport transport;
  private final Limits limits;
  private final String host;
  private final int port;

  /** {@code host:port} for messages. */
  private final String address;

  private volatile boolean closed;

  ConnectionPool(
      UpstreamTransport transport,
      String host,
      int port,
      SslContext tls,
      Duration connectTimeout,
      Limits limits) {
    this.transport = transport;
    this.host = host;
    this.port = port;
    this.address =
        (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    this.limits = requireNonNull(limits, "limits");
    AddressResolverGroup<InetSocketAddress> resolvers = new OffLoopResolvers(transport);
    int connectMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis()));
    this.perLoop = new LoopPool[transport.loopCount()];
    int i = 0;
    for (EventExecutor e : transport.eventLoopGroup()) {
      LoopPool pool = new LoopPool((EventLoop) e);
      pool.bootstrap =
          new Bootstrap()
              .group((EventLoop) e)
              .channel(transport.channelType())
              .resolver(resolvers)
              .remoteAddress(InetSocketAddress.createUnresolved(host, port))
              .option(ChannelOption.AUTO_READ, false)
              .option(ChannelOption.TCP_NODELAY, true)
              .option(ChannelOption.SO_KEEPALIVE, true)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      if (tls != null) {
                        ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), host, port));
                      }
                      ch.pipeline()
                          .addLast("http", new HttpClientCodec(4096, MAX_HEADER_BYTES, 64 * 1024))
                          .addLast("exchange", new ConnectionHandler(pool));
                    }
                  });
      perLoop[i++] = pool;
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
    for (LoopPool p : perLoop) {
      if (p.idleCount > 0) {
        return p.loop;
      }
    }
    return transport.eventLoopGroup().next();
  }

  /**
   * Hands {@code x} a connection of {@code loop} through {@link Lease#onConnection}: an idle one, a
   * new one, or (all busy) the next one returned; or fails it through {@link
   * Lease#onConnectFailure}. On {@code loop} only.
   */
  void acquire(EventLoop loop, Lease x) {
    perLoop[transport.indexOf(loop)].acquire(x);
  }

  /** Forgets {@code x} if it waits for a connection (it was cancelled or timed out). On loop. */
  void cancelWait(EventLoop loop, Lease x) {
    perLoop[transport.indexOf(loop)].waiters.remove(x);
  }

  /**
   * Puts a connection whose last response was read to its end back for reuse (to a waiting exchange
   * first), or closes it if it cannot carry another request. On the connection's loop.
   */
  void release(ConnectionHandler connection) {
    connection.pool.release(connection);
  }

  /** Idle connections on all loops (a racy sum, for tests and the loop choice). */
  int idleConnections() {
    int n = 0;
    for (LoopPool p : perLoop) {
      n += p.idleCount;
    }
    return n;
  }

  /** The value of the {@code host} header for this origin. */
  String hostHeader(boolean tls) {
    boolean defaultPort = tls ? port == 443 : port == 80;
    String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    return defaultPort ? h : h + ":" + port;
  }

  /**
   * Closes the idle connections; exchanges in flight finish and then close theirs (waiting ones get
   * fresh connections as those close).
   */
  @Override
  public void close() {
    closed = true;
    for (LoopPool p : perLoop) {
      p.loop.execute(p::closeIdle);
    }
  }

  /** One loop's share of the pool; every field is touched on {@link #loop} only. */
  private final class LoopPool {
    final EventLoop loop;
    Bootstrap bootstrap;

    /** Idle connections, the most recently used first (the oldest at the tail, swept first). */
    final ArrayDeque<ConnectionHandler> idle = new ArrayDeque<>();

    /** Exchanges waiting for a connection, oldest first; at most {@code maxWaitersPerLoop}. */
    final ArrayDeque<Lease> waiters = new ArrayDeque<>();

    /** Connections open or opening. */
    int open;

    /** {@code idle.size()} for {@link #loopFor} on other threads. */
    volatile int idleCount;

    private ScheduledFuture<?> sweep;

    LoopPool(EventLoop loop) {
      this.loop = loop;
    }

    void acquire(Lease x) {
      ConnectionHandler h;
      while ((h = idle.pollFirst()) != null) {
        h.idle = false;
        if (h.channel.isActive() && !h.discarded) {
          idleCount = idle.size();
          x.onConnection(h);
          return;
        }
        h.channel.close(); // closing already, or unusable: its close listener does the counting
      }
      idleCount = 0;
      if (open < limits.maxConnectionsPerLoop()) {
        connect(x);
      } else if (waiters.size() < limits.maxWaitersPerLoop()) {
        waiters.addLast(x);
      } else {
        x.onConnectFailure(
            new Exhausted(
                "all "
                    + limits.maxConnectionsPerLoop()
                    + " connections to "
                    + address
                    + " on this event loop are busy and "
                    + limits.maxWaitersPerLoop()
                    + " requests already wait for one"));
      }
    }

    private void connect(Lease x) {
      open++;
      ChannelFuture f = bootstrap.connect();
      Channel ch = f.channel();
      ch.closeFuture().addListener(c -> closed(ch));
      f.addListener(
          c -> {
            ConnectionHandler h = ch.pipeline().get(ConnectionHandler.class);
            if (c.isSuccess() && h != null) {
              x.onConnection(h);
            } else if (c.isSuccess()) {
              ch.close();
              x.onConnectFailure(new IllegalStateException("connection set-up failed"));
            } else {
              x.onConnectFailure(c.cause());
            }
          });
    }

    void release(ConnectionHandler h) {
      Channel ch = h.channel;
      if (closed || !ch.isActive() || h.exchange != null || h.discarded) {
        ch.close();
        return;
      }
      Lease next = waiters.pollFirst();
      if (next != null) {
        next.onConnection(h);
        return;
      }
      // A read stays pending so that the upstream closing the idle connection is noticed at once.
      ch.read();
      h.idle = true;
      h.idleSince = System.nanoTime();
      idle.addFirst(h);
      idleCount = idle.size();
      if (sweep == null) {
        sweep = loop.schedule(this::sweep, limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
      }
    }

    /** A connection of this loop closed (or failed to connect): its slot goes to a waiter. */
    private void closed(Channel ch) {
      open--;
      ConnectionHandler h = ch.pipeline().get(ConnectionHandler.class);
      if (h != null && h.idle) {
        h.idle = false;
        idle.remove(h);
        idleCount = idle.size();
      }
      if (open < limits.maxConnectionsPerLoop()) {
        Lease next = waiters.pollFirst();
        if (next != null) {
          connect(next);
        }
      }
    }

    /** Closes the connections idle for the timeout or longer, oldest first. */
    private void sweep() {
      sweep = null;
      long now = System.nanoTime();
      long timeout = limits.idleTimeout().toNanos();
      ConnectionHandler oldest;
      while ((oldest = idle.peekLast()) != null) {
        long left = oldest.idleSince + timeout - now;
        if (left > 0) {
          sweep = loop.schedule(this::sweep, left, TimeUnit.NANOSECONDS);
          return;
        }
        idle.pollLast();
        oldest.idle = false;
        idleCount = idle.size();
        oldest.channel.close();
      }
    }

    void closeIdle() {
      ConnectionHandler h;
      while ((h = idle.pollFirst()) != null) {
        h.idle = false;
        h.channel.close();
      }
      idleCount = 0;
    }
  }

  /** The per-connection handler: hands what it reads to the connection's current exchange. */
  static final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private final LoopPool pool;

    /** The exchange using the connection; null while it is idle in the pool. */
    Exchange exchange;

    /** How many exchanges this connection has carried (0 for a fresh one). */
    int served;

    /** True while the connection waits in its loop's idle deque. */
    boolean idle;

    /** When the connection last went idle ({@link System#nanoTime()}). */
    long idleSince;

    /** True once an exchange gave the connection up (cancelled, failed, stale): never reused. */
    boolean discarded;

    private Channel channel;

    private ConnectionHandler(LoopPool pool) {
      this.pool = pool;
    }

    /** The connection. */
    Channel channel() {
      return channel;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      channel = ctx.channel();
    }

    /** Called when an exchange takes the connection. */
    void taken(Exchange x) {
      exchange = x;
      served++;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Exchange x = exchange;
      try {
        if (x == null) {
          // Nothing is expected on an idle connection: whatever it is, the connection is unusable.
          discarded = true;
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
        discarded = true;
        ctx.close();
      }
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
