package dev.providergateway.server;

import static java.util.Objects.requireNonNull;

import dev.providergateway.config.ConfigException;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.config.GatewayConfig;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reloads the config file into a running {@link GatewayServer} on SIGHUP and when the file changes
 * (its directory is watched, which also sees Kubernetes' ConfigMap symlink swaps). A new file is
 * applied whole or not at all: when it does not load, or its providers cannot be built, the error
 * is logged and the running config stays. Unchanged content is not reloaded. A file is read only
 * once it is stable: unchanged (no watch event, same content) across a quiet window of {@link
 * #QUIET}, so a file being written is not applied half-way; a reload never switches caller
 * authentication off (see {@link ConfigGenerations#reload}).
 */
public final class ConfigReloader implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ConfigReloader.class.getName());

  /** How long the file must stay unchanged before it is read for a reload. */
  static final Duration QUIET = Duration.ofMillis(500);

  // A file that keeps changing is still reloaded after this many windows (a log being appended
  // to is not a config; this only bounds the wait).
  private static final int MAX_QUIET_WINDOWS = 20;

  private final Path file;
  private final Map<String, String> env;
  private final Integer portOverride;
  private final GatewayServer gateway;
  private final Object lock = new Object();
  private byte[] lastDigest;
  private WatchService watcher;

  /**
   * A reloader of {@code file} into {@code gateway}.
   *
   * @param portOverride the {@code --port} or environment port that beats the file's, or null
   */
  public ConfigReloader(
      Path file, Map<String, String> env, Integer portOverride, GatewayServer gateway) {
    this.file = requireNonNull(file, "file").toAbsolutePath();
    this.env = requireNonNull(env, "env");
    this.portOverride = portOverride;
    this.gateway = requireNonNull(gateway, "gateway");
    this.lastDigest = digest();
  }

  /**
   * Loads the file and applies it if its content changed since the last attempt.
   *
   * @return true if a new config was applied
   */
  public boolean reloadNow() {
    synchronized (lock) {
      byte[] digest = digest();
      if (digest != null && Arrays.equals(digest, lastDigest)) {
        return false;
      }
      lastDigest = digest;
      GatewayConfig config;
      try {
        config = ConfigLoader.load(file, env);
        if (portOverride != null) {
          config = config.withPort(portOverride);
        }
        gateway.reload(config);
      } catch (ConfigException | IllegalStateException | IllegalArgumentException e) {
        LOG.log(
            System.Logger.Level.ERROR,
            "config reload rejected, the running config stays: {0}",
            e.getMessage());
        gateway.telemetry().configReloaded(false);
        return false;
      }
      LOG.log(System.Logger.Level.INFO, "config reloaded from {0}", file);
      return true;
    }
  }

  /** Reloads on SIGHUP (where the JVM supports signal handlers; a no-op elsewhere). */
  public ConfigReloader onSighup() {
    try {
      // sun.misc.Signal (module jdk.unsupported) is the only JDK way to catch a signal; reflection
      // keeps the build free of its internal-API warning and degrades to a no-op without it.
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      InvocationHandler onSignal =
          (proxy, method, args) -> {
            if (method.getName().equals("handle")) {
              Thread reload = new Thread(this::forceReload, "gateway-reload");
              reload.setDaemon(true);
              reload.start();
              return null;
            }
            return method.invoke(this, args);
          };
      Object proxy =
          Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler}, onSignal);
      signal
          .getMethod("handle", signal, handler)
          .invoke(null, signal.getConstructor(String.class).newInstance("HUP"), proxy);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.log(
          System.Logger.Level.WARNING, "SIGHUP reload unavailable on this JVM: {0}", e.toString());
    }
    return this;
  }

  /** Watches the file's directory and reloads when the file's content changes. */
  public ConfigReloader watch() {
    try {
      watcher = file.getFileSystem().newWatchService();
      file.getParent()
          .register(
              watcher,
              StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_MODIFY,
              StandardWatchEventKinds.ENTRY_DELETE);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot watch {0} for changes (reload with SIGHUP): {1}",
          file.getParent(),
          e.toString());
      return this;
    }
    Thread thread = new Thread(this::watchLoop, "gateway-config-watch");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  private void watchLoop() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        key.pollEvents();
        key.reset();
        byte[] before = digest();
        for (int window = 0; window < MAX_QUIET_WINDOWS; window++) {
          // Editors and ConfigMap updates write in several steps: wait until they stop.
          WatchKey more = watcher.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS);
          byte[] now = digest();
          if (more == null && Arrays.equals(before, now)) {
            break;
          }
          if (more != null) {
            more.pollEvents();
            more.reset();
          }
          before = now;
        }
        if (Files.exists(file)) {
          reloadNow();
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    }
  }

  private void forceReload() {
    try {
      // SIGHUP may come while the file is still being written: wait until it is stable.
      byte[] before = digest();
      for (int window = 0; window < MAX_QUIET_WINDOWS; window++) {
        Thread.sleep(QUIET.toMillis());
        byte[] now = digest();
        if (Arrays.equals(before, now)) {
          break;
        }
        before = now;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    synchronized (lock) {
      lastDigest = null;
      reloadNow();
    }
  }

  private byte[] digest() {
    try {
      return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    } catch (IOException e) {
      return null;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (watcher != null) {
      try {
        watcher.close();
      } catch (IOException e) {
        // nothing to do
      }
    }
  }
}
