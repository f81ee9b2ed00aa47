package dev.providergateway.provider.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.SimpleChannelPool;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Taking a kept-alive upstream connection and giving it back, on its event loop, as every unary
 * call does: the gateway's loop-confined {@link ConnectionPool} against Netty's {@link
 * SimpleChannelPool} with the promise and health-check path the gateway used before (one pool per
 * loop, LIFO, health-checked on acquire and release). Each invocation runs {@link #BATCH} pairs in
 * one task on the loop, so the task hand-off is amortised and the numbers are per pair.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PoolAcquireBenchmark {
  static final int BATCH = 1000;

  private UpstreamTransport transport;
  private EventLoop loop;
  private ServerSocket server;
  private final List<Socket> accepted = new ArrayList<>();
  private ConnectionPool pool;
  private SimpleChannelPool netty;
  private Lease lease;

  /** Remembers the connection it was given. */
  static final class Lease implements ConnectionPool.Lease {
    ConnectionPool.ConnectionHandler connection;

    @Override
    public void onConnection(ConnectionPool.ConnectionHandler c) {
      connection = c;
    }

    @Override
    public void onConnectFailure(Throwable cause) {
      throw new IllegalStateException(cause);
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    transport = UpstreamTransport.create(1, false);
    loop = (EventLoop) transport.eventLoopGroup().next();
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  accepted.add(server.accept());
                }
              } catch (Exception e) {
                // closed
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
    int port = server.getLocalPort();
    pool =
        new ConnectionPool(
            transport, "127.0.0.1", port, null, Duration.ofSeconds(2), ConnectionPool.Limits.DEFAULTS);
    lease = new Lease();
    CompletableFuture<ConnectionPool.ConnectionHandler> first = new CompletableFuture<>();
    loop.execute(
        () ->
            pool.acquire(
                loop,
                new ConnectionPool.Lease() {
                  @Override
                  public void onConnection(ConnectionPool.ConnectionHandler c) {
                    first.complete(c);
                  }

                  @Override
                  public void onConnectFailure(Throwable cause) {
                    first.completeExceptionally(cause);
                  }
                }));
    ConnectionPool.ConnectionHandler c = first.get(5, TimeUnit.SECONDS);
    loop.submit(() -> pool.release(c)).get();

    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channel(transport.channelType())
            .remoteAddress(new InetSocketAddress("127.0.0.1", port))
            .option(ChannelOption.AUTO_READ, false);
    netty =
        new SimpleChannelPool(
            b,
            new AbstractChannelPoolHandler() {
              @Override
              public void channelCreated(Channel c) {}
            },
            ChannelHealthChecker.ACTIVE,
            true,
            true);
    Channel n = netty.acquire(loop.newPromise()).get(5, TimeUnit.SECONDS);
    netty.release(n).get(5, TimeUnit.SECONDS);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    pool.close();
    netty.close();
    server.close();
    for (Socket s : accepted) {
      s.close();
    }
    transport.close();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Object loopConfinedPool() throws Exception {
    return loop.submit(
            () -> {
              for (int i = 0; i < BATCH; i++) {
                pool.acquire(loop, lease);
                pool.release(lease.connection);
              }
            })
        .get();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Object nettySimpleChannelPool() throws Exception {
    return loop.submit(
            () -> {
              for (int i = 0; i < BATCH; i++) {
                Channel ch = netty.acquire(loop.newPromise()).getNow();
                ch.read();
                netty.release(ch);
              }
            })
        .get();
  }
}
