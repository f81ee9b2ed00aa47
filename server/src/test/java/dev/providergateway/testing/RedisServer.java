package dev.providergateway.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} on a free loopback port, started from the binary on {@code PATH}
 * (scripts/test.sh installs Debian's package). Without the binary a test is skipped on a developer
 * machine and fails under {@code CI=true}, so CI never passes by not testing. No persistence: a
 * {@link #restart()} comes back empty, as a Redis that lost its data would.
 */
public final class RedisServer implements AutoCloseable {
  private final Path binary;
  private final int port;
  private Process process;

  private RedisServer(Path binary, int port) {
    this.binary = binary;
    this.port = port;
  }

  /** Starts one; skips the test (fails it under CI=true) when redis-server is not installed. */
  public static RedisServer start() {
    Path binary = find();
    if (binary == null) {
      String why =
          "redis-server is not on PATH (scripts/test.sh installs it: apt-get install redis-server)";
      if ("true".equals(System.getenv("CI"))) {
        fail(why);
      }
      Assumptions.abort(why);
    }
    RedisServer redis = new RedisServer(binary, freePort());
    redis.launch();
    return redis;
  }

  private static Path find() {
    String path = System.getenv("PATH");
    for (String dir : (path == null ? "" : path).split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, "redis-server");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    for (String dir : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
      Path candidate = Path.of(dir, "redis-server");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void launch() {
    try {
      process =
          new ProcessBuilder(
                  binary.toString(),
                  "--port",
                  Integer.toString(port),
                  "--bind",
                  "127.0.0.1",
                  "--save",
                  "",
                  "--appendonly",
                  "no",
                  "--protected-mode",
                  "yes")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + binary, e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (ping()) {
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited with " + process.exitValue());
      }
      sleep(20);
    }
    throw new IllegalStateException("redis-server did not answer on port " + port);
  }

  /** Whether it answers PING. */
  public boolean ping() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      s.setSoTimeout(500);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[7];
      int n = in.read(buf);
      return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:PORT}. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Kills the server at once (SIGKILL), as a crash would. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  public void pause() {
    signal("-STOP");
  }

  /** Lets a paused server run again (SIGCONT). */
  public void resume() {
    signal("-CONT");
  }

  private void signal(String which) {
    try {
      new ProcessBuilder("kill", which, Long.toString(process.pid())).start().waitFor();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts it again on the same port, empty. */
  public void restart() {
    launch();
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      kill();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
