package dev.providergateway.provider.testing;

import dev.providergateway.provider.testing.FakeUpstream.Connection;
import dev.providergateway.provider.testing.FakeUpstream.Side;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay in front of {@link FakeUpstream}'s HTTP server: each client connection gets its own
 * connection to the server and two pump threads, so the relay knows when and by whom each one was
 * closed. A close by the client interrupts the thread writing a response on it.
 */
final class ConnectionRelay {
  private final ServerSocket listener;
  private final int serverPort;
  private final List<Relayed> all = new CopyOnWriteArrayList<>();
  private final Map<Integer, Relayed> byServerSidePort = new ConcurrentHashMap<>();

  ConnectionRelay(int serverPort) throws IOException {
    this.serverPort = serverPort;
    this.listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "fake-upstream-relay-accept");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), serverPort);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        Relayed c = new Relayed(all.size() + 1, client, upstream);
        byServerSidePort.put(upstream.getLocalPort(), c);
        all.add(c);
        c.start();
      } catch (IOException e) {
        // The listener was closed, or one connection could not be set up.
      }
    }
  }

  /** The connection whose server side has local port {@code port}, or null. */
  Relayed byServerSidePort(int port) {
    return byServerSidePort.get(port);
  }

  List<Connection> snapshot() {
    return all.stream().map(Relayed::info).toList();
  }

  /** Closes, from the server side, every connection that is not serving a response. */
  void closeIdle() {
    all.forEach(Relayed::closeIfIdle);
  }

  void close() {
    try {
      listener.close();
    } catch (IOException e) {
      // Closing anyway.
    }
    all.forEach(c -> c.closed(Side.SERVER, false));
  }

  /** One client connection through the relay. */
  static final class Relayed {
    private final int id;
    private final Socket client;
    private final Socket upstream;
    private final long openedNanos = System.nanoTime();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile long closedNanos;
    private volatile Side closedBy;
    private volatile boolean resetWhenServerCloses;
    private volatile Thread serving;

    Relayed(int id, Socket client, Socket upstream) {
      this.id = id;
      this.client = client;
      this.upstream = upstream;
    }

    void start() {
      Thread in =
          new Thread(
              () -> pump(client, upstream, Side.CLIENT), "fake-upstream-relay-" + id + "-in");
      Thread out =
          new Thread(
              () -> pump(upstream, client, Side.SERVER), "fake-upstream-relay-" + id + "-out");
      in.setDaemon(true);
      out.setDaemon(true);
      in.start();
      out.start();
    }

    synchronized void serving(Thread thread) {
      if (thread != null) {
        requests.incrementAndGet();
      }
      serving = thread;
    }

    synchronized void closeIfIdle() {
      if (serving == null && closedBy == null) {
        closed(Side.SERVER, false);
      }
    }

    void resetWhenServerCloses() {
      resetWhenServerCloses = true;
    }

    Connection info() {
      return new Connection(id, openedNanos, closedNanos, closedBy, requests.get());
    }

    /** Copies {@code from} to {@code to} until one of them goes away, and notes which did. */
    private void pump(Socket from, Socket to, Side side) {
      byte[] buffer = new byte[8192];
      while (true) {
        int n;
        try {
          n = from.getInputStream().read(buffer);
        } catch (IOException e) {
          closed(side, false);
          return;
        }
        if (n < 0) {
          closed(side, side == Side.SERVER && resetWhenServerCloses);
          return;
        }
        try {
          to.getOutputStream().write(buffer, 0, n);
          to.getOutputStream().flush();
        } catch (IOException e) {
          closed(side == Side.CLIENT ? Side.SERVER : Side.CLIENT, false);
          return;
        }
      }
    }

    synchronized void closed(Side by, boolean reset) {
      if (closedBy == null) {
        closedNanos = System.nanoTime();
        closedBy = by;
        if (by == Side.CLIENT) {
          Thread t = serving;
          if (t != null) {
            // Ends a response that waits (before its headers, or between parts) at once.
            t.interrupt();
          }
        }
      }
      try {
        if (reset) {
          client.setSoLinger(true, 0);
        }
        client.close();
      } catch (IOException e) {
        // Already closed.
      }
      try {
        upstream.close();
      } catch (IOException e) {
        // Already closed.
      }
    }
  }
}
