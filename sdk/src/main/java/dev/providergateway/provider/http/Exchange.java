package dev.providergateway.provider.http;

import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * One HTTP request and its response on a pooled connection. Everything after {@link #start()} runs
 * on one event loop, so the state needs no locks. The request body is kept until the end so that a
 * request whose reused keep-alive connection turns out to be closed by the upstream (the usual race
 * with its idle timeout) is sent again on the next connection; that is only done before any byte of
 * a response arrived, and only for reused connections: an upstream that drops all its idle
 * connections at once leaves several stale ones in the pool, and the exchange walks past each of
 * them (they are closed, so the walk is bounded by the pool's size and by the header timeout) to a
 * fresh connection, whose failure is the real one. None of this is a retry: no backoff, no retry
 * budget.
 *
 * <p>Exactly one of the subclass's terminal paths runs: {@link #onEnd()} after the whole response
 * was read (the connection already back in its pool), or {@link #onFailure} (the connection
 * closed). A cancel closes the connection and reports nothing.
 */
abstract class Exchange implements ConnectionPool.Lease {
  final Origin origin;
  private final ConnectionPool pool;
  private final EventLoop loop;
  private final String path;

  /** The request, kept for a resend until the response starts (then dropped: held streams). */
  private HttpHeaders headers;

  private ByteBuf body;
  private final long headerTimeoutNanos;
  private Channel channel;
  private ConnectionPool.ConnectionHandler handler;
  private ScheduledFuture<?> timer;
  private boolean reused;
  private boolean responseStarted;
  private boolean informational;
  private boolean keepAlive;
  private boolean done;
  private boolean waiting;

  /**
   * What one exchange needs, checked before anything is sent.
   *
   * @param headerTimeoutNanos the longest wait for the response head, connecting included
   */
  record Request(
      Origin origin,
      ConnectionPool pool,
      EventLoop loop,
      String path,
      HttpHeaders headers,
      ByteBuf body,
      long headerTimeoutNanos) {}

  Exchange(Request r) {
    this.origin = r.origin();
    this.pool = r.pool();
    this.loop = r.loop();
    this.path = r.path();
    this.headers = r.headers();
    this.body = r.body();
    this.headerTimeoutNanos = r.headerTimeoutNanos();
  }

  /** The response head arrived (status line and headers). */
  abstract void onHead(HttpResponse response);

  /** A piece of the response body; not retained after the call. */
  abstract void onContent(ByteBuf content);

  /** The response ended; its connection is already released. */
  abstract void onEnd();

  /** The exchange failed; its connection is closed. Called at most once. */
  abstract void onFailure(RuntimeException failure);

  /** True while the consumer wants more of the response read. */
  abstract boolean wantsData();

  /** Sends the request; may be called from any thread. */
  final void start() {
    onLoop(this::begin);
  }

  /** Stops the exchange and closes its connection; nothing more is reported. Any thread. */
  final void cancel() {
    onLoop(this::abort);
  }

  /** Reads on when the consumer's demand comes back. Any thread. */
  final void resume() {
    onLoop(this::readIfWanted);
  }

  private void onLoop(Runnable action) {
    if (loop.inEventLoop()) {
      action.run();
    } else {
      loop.execute(action);
    }
  }

  /** Fails the exchange from a subclass (a body it cannot use): the connection is closed. */
  final void fail(RuntimeException failure) {
    if (done) {
      return;
    }
    finish(false);
    onFailure(failure);
  }

  private void begin() {
    if (done) {
      return;
    }
    timer = loop.schedule(this::timedOut, headerTimeoutNanos, TimeUnit.NANOSECONDS);
    acquire();
  }

  private void acquire() {
    waiting = true;
    pool.acquire(loop, this);
  }

  /** The pool hands this exchange a connection (on the loop). */
  @Override
  public final void onConnection(ConnectionPool.ConnectionHandler connection) {
    waiting = false;
    if (done) {
      pool.release(connection);
      return;
    }
    attach(connection);
  }

  /** The pool could not give this exchange a connection (on the loop). */
  @Override
  public final void onConnectFailure(Throwable cause) {
    waiting = false;
    if (cause instanceof ConnectionPool.Exhausted) {
      fail(
          new ProviderException.Unavailable(
              origin, origin.provider() + ": " + cause.getMessage(), null));
    } else {
      fail(HttpErrors.fromThrowable(origin, cause));
    }
  }

  private void attach(ConnectionPool.ConnectionHandler connection) {
    Channel ch = connection.channel();
    channel = ch;
    handler = connection;
    reused = handler.served > 0;
    handler.taken(this);
    DefaultFullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.POST,
            path,
            body.retainedDuplicate(),
            headers,
            EmptyHttpHeaders.INSTANCE);
    ch.writeAndFlush(request)
        .addListener(
            w -> {
              if (!w.isSuccess()
                  && channel == ch) { // not about an earlier connection of this exchange
                onException(w.cause());
              }
            });
    ch.read();
  }

  void onRead(HttpObject msg) {
    if (done) {
      return;
    }
    if (msg.decoderResult().isFailure()) {
      if (msg.decoderResult().cause() instanceof PrematureChannelClosureException) {
        // The connection closed inside the response head: a connection failure, not bad data.
        onClosed();
        return;
      }
      fail(
          new ProviderException.InvalidResponse(
              origin,
              origin.provider()
                  + " sent a malformed HTTP response: "
                  + HttpErrors.words(msg.decoderResult().cause()),
              msg.decoderResult().cause()));
      return;
    }
    if (msg instanceof HttpResponse response) {
      if (response.status().code() / 100 == 1) {
        informational = true; // 100 Continue, 103 Early Hints: the real head follows.
        return;
      }
      responseStarted = true;
      cancelTimer();
      dropRequest();
      keepAlive = HttpUtil.isKeepAlive(response);
      onHead(response);
    }
    if (informational && msg instanceof HttpContent) {
      informational = !(msg instanceof LastHttpContent); // the end of the informational response
      return;
    }
    if (msg instanceof HttpContent content && !done) {
      ByteBuf bytes = content.content();
      if (bytes.isReadable()) {
        onContent(bytes);
      }
      if (msg instanceof LastHttpContent && !done) {
        finish(keepAlive);
        onEnd();
      }
    }
  }

  void onReadComplete() {
    readIfWanted();
  }

  void onClosed() {
    if (done) {
      return;
    }
    if (resendOnFreshConnection()) {
      return;
    }
    fail(
        new ProviderException.Connection(
            origin,
            origin.provider()
                + " closed the connection before the "
                + (responseStarted ? "response ended" : "response arrived"),
            null));
  }

  void onException(Throwable cause) {
    if (done) {
      if (channel != null) {
        channel.close();
      }
      return;
    }
    Throwable t =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (t instanceof IOException && !(t instanceof SSLException) && resendOnFreshConnection()) {
      return;
    }
    if (t instanceof SSLException || t instanceof IOException) {
      fail(HttpErrors.fromThrowable(origin, t));
    } else if (cause instanceof DecoderException) {
      fail(
          new ProviderException.InvalidResponse(
              origin,
              origin.provider() + " sent a malformed HTTP response: " + HttpErrors.words(t),
              t));
    } else {
      fail(HttpErrors.fromThrowable(origin, t));
    }
  }

  /**
   * Sends the request again on another connection when the upstream closed or reset a kept-alive
   * connection before any byte of a response: the race with its idle timeout, in which it never saw
   * the request. Once per stale connection (each is closed, never pooled again); a connection that
   * was fresh ends the walk. True if it resent.
   */
  private boolean resendOnFreshConnection() {
    if (!reused || responseStarted) {
      return false;
    }
    handler.discarded = true;
    handler.exchange = null;
    channel.close();
    channel = null;
    handler = null;
    acquire();
    return true;
  }

  private void readIfWanted() {
    if (!done && channel != null && (!responseStarted || wantsData())) {
      channel.read();
    }
  }

  private void timedOut() {
    if (!done && !responseStarted) {
      fail(
          new ProviderException.Timeout(
              origin,
              origin.provider()
                  + " did not answer in time ("
                  + TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos)
                  + " ms without a response)",
              null,
              java.time.Duration.ofNanos(headerTimeoutNanos)));
    }
  }

  private void abort() {
    if (!done) {
      finish(false);
    }
  }

  /** Ends the exchange: the connection goes back to the pool if it can carry another request. */
  private void finish(boolean reuse) {
    done = true;
    cancelTimer();
    dropRequest();
    if (waiting) {
      waiting = false;
      pool.cancelWait(loop, this);
    }
    Channel ch = channel;
    if (ch == null) {
      return;
    }
    ConnectionPool.ConnectionHandler h = handler;
    h.exchange = null;
    channel = null;
    handler = null;
    if (reuse) {
      pool.release(h);
    } else {
      // A cancelled or failed exchange's connection may hold half a response: never reused.
      h.discarded = true;
      ch.close();
    }
  }

  /** Releases the request once it can no longer be resent; idempotent. */
  private void dropRequest() {
    if (body != null) {
      body.release();
      body = null;
      headers = null;
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** The response headers as the JDK type {@link HttpErrors} reads (error paths only). */
  static java.net.http.HttpHeaders jdkHeaders(HttpHeaders headers) {
    Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, String> e : headers) {
      map.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
    }
    return java.net.http.HttpHeaders.of(map, (name, value) -> true);
  }
}
