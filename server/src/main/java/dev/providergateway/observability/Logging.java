package dev.providergateway.observability;

import dev.providergateway.config.LoggingConfig;
import java.io.OutputStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sets up {@code java.util.logging} (which gRPC and the gateway log through; SLF4J users such as
 * Resilience4j are bridged to it) from the {@code logging} section: one stderr handler with the
 * text or JSON formatter and the configured level, written by a background thread ({@link
 * AsyncLogHandler}) so that logging never waits on stderr.
 */
public final class Logging {
  // Kept strongly: JUL holds loggers weakly, and a collected logger forgets its level.
  private static final Logger NETTY = Logger.getLogger("io.grpc.netty");
  // grpc-java logs every request its deframer refuses (over the size limit, undecodable) as a
  // warning with a stack trace; a caller could flood the log with them. The access log records
  // each such call in one line, with the status the client got (see StreamOutcome).
  private static final Logger REFUSED_MESSAGES =
      Logger.getLogger("io.grpc.netty.NettyServerStream");

  private Logging() {}

  /** Replaces the root logger's handlers with one writing to stderr as {@code config} says. */
  public static void configure(LoggingConfig config) {
    configure(config, null);
  }

  /** As {@link #configure(LoggingConfig)}, writing to {@code out} instead of stderr (tests). */
  public static Handler configure(LoggingConfig config, OutputStream out) {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
      h.close();
    }
    Handler handler =
        out == null
            ? new AsyncLogHandler(System.err)
            : new java.util.logging.StreamHandler(out, new TextLogFormatter()) {
              @Override
              public synchronized void publish(java.util.logging.LogRecord record) {
                super.publish(record);
                flush();
              }
            };
    handler.setFormatter(
        config.format() == LoggingConfig.Format.JSON
            ? new JsonLogFormatter()
            : new TextLogFormatter());
    Level level = LogLevels.of(config.level());
    handler.setLevel(level);
    root.setLevel(level);
    root.addHandler(handler);
    // Netty's frame logging at debug level would print request headers, authorization included.
    NETTY.setLevel(level.intValue() < Level.INFO.intValue() ? Level.INFO : level);
    REFUSED_MESSAGES.setLevel(Level.SEVERE);
    return handler;
  }
}
