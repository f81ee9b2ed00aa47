package dev.providergateway.provider.http;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's network threads: one Netty event loop group (epoll where the native transport
 * loads, NIO elsewhere) that every {@link UpstreamHttp} connection runs on, and that the gateway
 * also serves gRPC on. Sharing one group means a call served on an event loop sends its upstream
 * request, reads the answer and writes the gRPC response on that same thread: no thread hop and no
 * wake-up per request, which is most of what a proxy costs.
 *
 * <p>Lifecycle: the gateway creates one per server ({@link #create}, sized by {@code
 * server.io_threads}) and hands it to every provider through {@link
 * dev.providergateway.provider.ProviderSettings#transport()}; whoever created it closes it, after
 * the providers using it are closed. Host names are resolved on two separate threads with the JDK
 * resolver (its cache, {@code /etc/hosts} and search domains), so a slow DNS server never stalls a
 * loop; pooled connections make that a rare event. Thread-safe.
 */
public final class UpstreamTransport implements AutoCloseable {
  private final EventLoopGroup group;
  private final EventExecutor[] loops;
  private final Class<? extends SocketChannel> channelType;
  private final Class<? extends ServerSocketChannel> serverChannelType;
  private final EventExecutorGroup resolver;

  private UpstreamTransport(int threads, boolean nativeTransport) {
    IoHandlerFactory io = nativeTransport ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group =
        new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("gateway-io", true), io);
    this.channelType = nativeTransport ? EpollSocketChannel.class : NioSocketChannel.class;
    this.serverChannelType =
        nativeTransport ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    this.resolver = new DefaultEventExecutorGroup(2, new DefaultThreadFactory("gateway-dns", true));
    java.util.List<EventExecutor> all = new java.util.ArrayList<>();
    group.forEach(all::add);
    this.loops = all.toArray(EventExecutor[]::new);
  }

  /**
   * A transport of {@code threads} event loops ({@code 0}: one per CPU), on epoll where it loads
   * unless {@code forceNio}. The threads are daemons; {@link #close()} stops them.
   */
  public static UpstreamTransport create(int threads, boolean forceNio) {
    if (threads < 0) {
      throw new IllegalArgumentException(
          "threads must be >= 0 (0 for one per CPU), was " + threads);
    }
    int n = threads == 0 ? Math.max(1, Runtime.getRuntime().availableProcessors()) : threads;
    return new UpstreamTransport(n, !forceNio && Epoll.isAvailable());
  }

  /**
   * Stops the event loops and resolver threads, letting queued tasks run for a short quiet period.
   */
  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    resolver.shutdownGracefully(0, 2, TimeUnit.SECONDS);
  }

  /** The event loops; owned by this transport, never shut down by a user of it. */
  public EventLoopGroup eventLoopGroup() {
    return group;
  }

  /** The client socket channel class that matches {@link #eventLoopGroup()}. */
  public Class<? extends SocketChannel> channelType() {
    return channelType;
  }

  /** The server socket channel class that matches {@link #eventLoopGroup()}. */
  public Class<? extends ServerSocketChannel> serverChannelType() {
    return serverChannelType;
  }

  /** The threads host names are resolved on. */
  EventExecutorGroup resolver() {
    return resolver;
  }

  /** The loop the calling thread runs, or null when it is not one of this transport's loops. */
  EventLoop callersLoop() {
    for (EventExecutor loop : loops) {
      if (loop.inEventLoop()) {
        return (EventLoop) loop;
      }
    }
    return null;
  }

  /** The index of {@code loop}, one of this transport's loops, in its group. */
  int indexOf(EventLoop loop) {
    for (int i = 0; i < loops.length; i++) {
      if (loops[i] == loop) {
        return i;
      }
    }
    throw new IllegalArgumentException("not one of this transport's event loops: " + loop);
  }

  /** The loop at {@code index}. */
  EventLoop loop(int index) {
    return (EventLoop) loops[index];
  }

  int loopCount() {
    return loops.length;
  }
}
