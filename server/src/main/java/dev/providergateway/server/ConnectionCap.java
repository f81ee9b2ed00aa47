package dev.providergateway.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.ServerChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps the open connections of the gRPC port, in all and per client address. It sits in the
 * listening channel's pipeline, ahead of Netty's acceptor (which hands each accepted connection to
 * gRPC), so a connection over a cap is closed before gRPC allocates anything for it (no HTTP/2
 * codec, no transport, no handshake timer). It gets there through {@link #channelFactory}, used
 * with the public {@code NettyServerBuilder.channelFactory(ChannelFactory)}: gRPC has no public
 * hook for a handler on accepted connections, and a {@code ServerTransportFilter} only learns of a
 * connection after its HTTP/2 handshake, too late to stop an idle flood.
 *
 * <p>Thread-safe: accepts run on the listening channel's loop, closes on each connection's own
 * loop.
 */
@ChannelHandler.Sharable
final class ConnectionCap extends ChannelInboundHandlerAdapter {
  private static final System.Logger LOG = System.getLogger(ConnectionCap.class.getName());
  private static final long WARN_EVERY_NANOS = 60_000_000_000L;

  private final int max;
  private final int maxPerAddress;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<InetAddress, AtomicInteger> byAddress = new ConcurrentHashMap<>();
  private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

  /** At most {@code max} connections, and {@code maxPerAddress} per client address (0: no cap). */
  ConnectionCap(int max, int maxPerAddress) {
    this.max = max;
    this.maxPerAddress = maxPerAddress;
  }

  /** Listening channels of {@code type} with this cap in their pipeline. */
  ChannelFactory<ServerChannel> channelFactory(Class<? extends ServerChannel> type) {
    ReflectiveChannelFactory<? extends ServerChannel> channels =
        new ReflectiveChannelFactory<>(type);
    return () -> {
      ServerChannel listener = channels.newChannel();
      listener.pipeline().addLast("connection-cap", this);
      return listener;
    };
  }

  /** Connections open now (for tests and diagnostics). */
  int open() {
    return open.get();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Channel child)) {
      ctx.fireChannelRead(msg);
      return;
    }
    InetAddress address = address(child.remoteAddress());
    if (!admit(address)) {
      // Not yet registered with a loop: closed as Netty's own acceptor closes a child it rejects.
      child.unsafe().closeForcibly();
      warn(address);
      return;
    }
    child.closeFuture().addListener(f -> release(address));
    ctx.fireChannelRead(child);
  }

  private boolean admit(InetAddress address) {
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      return false;
    }
    if (maxPerAddress > 0 && address != null) {
      AtomicInteger n = byAddress.computeIfAbsent(address, a -> new AtomicInteger());
      if (n.incrementAndGet() > maxPerAddress) {
        release(address);
        return false;
      }
    }
    return true;
  }

  private void release(InetAddress address) {
    open.decrementAndGet();
    if (maxPerAddress > 0 && address != null) {
      byAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
  }

  private void warn(InetAddress address) {
    long last = lastWarning.get();
    long now = System.nanoTime();
    if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "refusing connections over the cap (server.max_connections "
              + max
              + ", server.max_connections_per_ip "
              + maxPerAddress
              + "), from "
              + (address == null ? "an unknown address" : address.getHostAddress())
              + " among others; this is logged at most once a minute");
    }
  }

  private static InetAddress address(SocketAddress remote) {
    return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }
}
