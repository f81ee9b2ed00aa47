package dev.providergateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.config.ConfigLoader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the real Netty server does with connections that are not well-behaved gRPC clients: one that
 * never sends the HTTP/2 preface, one too many, and a rapid-reset flood.
 */
class ConnectionHygieneTest {
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int GOAWAY = 0x7;

  private GatewayServer gateway;
  private final List<Socket> sockets = new ArrayList<>();

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (gateway != null) {
      gateway.shutdown();
    }
  }

  private void start(String serverYaml) throws IOException {
    gateway =
        GatewayServer.netty(
                ConfigLoader.parse(
                    "server: {host: 127.0.0.1, port: 0, shutdown_grace: 1s, " + serverYaml + "}\n",
                    Map.of()),
                Map.of(),
                Clock.systemUTC())
            .start();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.port());
    sockets.add(s);
    return s;
  }

  @Test
  void connection_noPrefaceWithinHandshakeTimeout_closed() throws Exception {
    start("handshake_timeout: 500ms");
    Socket idle = connect();
    idle.setSoTimeout(5_000);
    long started = System.nanoTime();

    assertThat(closedByServer(idle)).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
  }

  @Test
  void connection_beyondPerIpCap_closedAtOnceWhileOthersStayOpen() throws Exception {
    start("handshake_timeout: 30s, max_connections_per_ip: 2");
    Socket first = connect();
    Socket second = connect();
    Socket third = connect();
    third.setSoTimeout(3_000);

    assertThat(closedByServer(third)).isTrue();
    first.setSoTimeout(300);
    second.setSoTimeout(300);
    assertThat(stillOpen(first)).isTrue();
    assertThat(stillOpen(second)).isTrue();

    first.close();
    Thread.sleep(200); // the server sees the close
    Socket again = connect();
    again.setSoTimeout(300);
    assertThat(stillOpen(again)).isTrue();
  }

  @Test
  void connection_beyondGlobalCap_closed() throws Exception {
    start("handshake_timeout: 30s, max_connections: 1");
    Socket first = connect();
    Socket second = connect();
    second.setSoTimeout(3_000);

    assertThat(closedByServer(second)).isTrue();
    first.setSoTimeout(300);
    assertThat(stillOpen(first)).isTrue();
  }

  @Test
  void http2_rapidResetFlood_getsGoAway() throws Exception {
    start("max_resets_per_window: 50, reset_window: 10s");
    Socket s = connect();
    s.setSoTimeout(5_000);
    var out = s.getOutputStream();
    out.write(PREFACE);
    out.write(frames(w -> w.writeSettings(w.ctx, new Http2Settings(), w.ctx.newPromise())));
    // A flood: each stream opened with a request's headers, then reset at once.
    byte[] flood =
        frames(
            w -> {
              for (int i = 0; i < 200; i++) {
                int stream = 1 + 2 * i;
                w.writeHeaders(w.ctx, stream, requestHeaders(), 0, false, w.ctx.newPromise());
                w.writeRstStream(w.ctx, stream, Http2Error.CANCEL.code(), w.ctx.newPromise());
              }
            });
    try {
      out.write(flood);
      out.flush();
    } catch (SocketException closedMidFlood) {
      // The server may close before the whole flood is written; its GOAWAY is already queued.
    }

    assertThat(readUntilGoAway(s.getInputStream())).isTrue();
  }

  private static Http2Headers requestHeaders() {
    return new DefaultHttp2Headers()
        .method("POST")
        .scheme("http")
        .authority("localhost")
        .path("/providergateway.v1.ProviderService/Stream")
        .add("content-type", "application/grpc")
        .add("te", "trailers");
  }

  /** Reads HTTP/2 frames until a GOAWAY (true) or the end of the connection (false). */
  private static boolean readUntilGoAway(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    try {
      while (true) {
        int length = data.readUnsignedShort() << 8 | data.readUnsignedByte();
        int type = data.readUnsignedByte();
        data.readUnsignedByte(); // flags
        data.readInt(); // stream id
        data.skipNBytes(length);
        if (type == GOAWAY) {
          return true;
        }
      }
    } catch (IOException ended) {
      return false;
    }
  }

  /** True if the server closed (or reset) the connection before the socket's read timeout. */
  private static boolean closedByServer(Socket s) throws IOException {
    try {
      while (true) {
        int b = s.getInputStream().read();
        if (b < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (SocketException reset) {
      return true;
    }
  }

  /** True if nothing ends the connection within the socket's read timeout. */
  private static boolean stillOpen(Socket s) throws IOException {
    return !closedByServer(s);
  }

  /** The bytes {@code write} produces with Netty's HTTP/2 frame writer. */
  private static byte[] frames(FrameWrites write) throws Exception {
    EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    Writer w = new Writer(new DefaultHttp2FrameWriter(), channel.pipeline().firstContext());
    write.accept(w);
    channel.flush();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (Object o; (o = channel.readOutbound()) != null; ) {
      ByteBuf buf = (ByteBuf) o;
      byte[] b = new byte[buf.readableBytes()];
      buf.readBytes(b);
      buf.release();
      bytes.write(b);
    }
    channel.finishAndReleaseAll();
    return bytes.toByteArray();
  }

  /** A frame writer bound to a context that collects what it writes. */
  private static final class Writer {
    final DefaultHttp2FrameWriter writer;
    final ChannelHandlerContext ctx;

    Writer(DefaultHttp2FrameWriter writer, ChannelHandlerContext ctx) {
      this.writer = writer;
      this.ctx = ctx;
    }

    void writeSettings(
        ChannelHandlerContext c, Http2Settings s, io.netty.channel.ChannelPromise p) {
      writer.writeSettings(c, s, p);
    }

    void writeHeaders(
        ChannelHandlerContext c,
        int stream,
        Http2Headers h,
        int padding,
        boolean endStream,
        io.netty.channel.ChannelPromise p) {
      writer.writeHeaders(c, stream, h, padding, endStream, p);
    }

    void writeRstStream(
        ChannelHandlerContext c, int stream, long code, io.netty.channel.ChannelPromise p) {
      writer.writeRstStream(c, stream, code, p);
    }
  }

  @FunctionalInterface
  private interface FrameWrites {
    void accept(Writer w) throws Exception;
  }
}
