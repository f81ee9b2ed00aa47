package dev.providergateway.server;

import static dev.providergateway.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import dev.providergateway.auth.ApiKeyAuthenticator;
import dev.providergateway.auth.AuthInterceptor;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.config.GatewayConfig;
import dev.providergateway.config.LoggingConfig;
import dev.providergateway.observability.Logging;
import dev.providergateway.observability.TextLogFormatter;
import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import dev.providergateway.v1.ListProvidersRequest;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.Test;

/**
 * Runs a real gateway with a provider whose upstream echoes the provider key back in its 401 body,
 * and callers that send good, bad and misplaced keys; then scans everything the gateway emitted
 * (stdout, stderr, JSON and text logs at debug level, metrics, ListProviders, every error status
 * with its trailers, response headers) for either key.
 */
class SecretScanTest {
  private static final String PROVIDER_KEY = "sk-test-PROVIDERSECRET-0123456789abcdefABCDEF";
  private static final String CALLER_KEY = "pgw-test-CALLERSECRET-fedcba9876543210FEDCBA";

  @Test
  void everythingEmitted_neverContainsProviderOrCallerKeys() throws Exception {
    HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext(
        "/",
        exchange -> {
          String auth = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
          byte[] body =
              ("{\"error\":{\"message\":\"Incorrect API key provided: "
                      + auth.replace("Bearer ", "")
                      + ". You can find your API key at https://platform.openai.com/account/api-keys.\","
                      + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(401, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    upstream.start();

    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = System.out;
    PrintStream err = System.err;
    Logger root = Logger.getLogger("");
    Handler[] rootHandlers = root.getHandlers();
    java.util.logging.Level rootLevel = root.getLevel();
    List<String> seen = new ArrayList<>();
    GatewayServer gateway = null;
    ManagedChannel channel = null;
    try {
      PrintStream tee = new PrintStream(new TeeStream(captured, out), true, StandardCharsets.UTF_8);
      System.setOut(tee);
      System.setErr(tee);
      Logging.configure(
          new LoggingConfig(LoggingConfig.Format.JSON, LoggingConfig.Level.DEBUG, true), captured);
      StreamHandler text = new StreamHandler(captured, new TextLogFormatter());
      text.setLevel(java.util.logging.Level.ALL);
      root.addHandler(text);

      Map<String, String> env = Map.of("LEAKY_KEY", PROVIDER_KEY);
      GatewayConfig config =
          ConfigLoader.parse(
              """
          server: {host: 127.0.0.1, port: 0}
          metrics: {enabled: true, port: 0}
          logging: {format: json, level: debug}
          providers:
            - {name: leaky, type: openai, base_url: 'http://127.0.0.1:%d/v1', api_key: '${LEAKY_KEY}', default_model: gpt-4o-mini}
          auth:
            keys:
              - {id: team-a, key_sha256: %s}
          """
                  .formatted(
                      upstream.getAddress().getPort(), ApiKeyAuthenticator.sha256Hex(CALLER_KEY)),
              env);
      seen.add(config.toString());
      gateway = GatewayServer.nettyBuilder(config, env, Clock.systemUTC()).build().start();
      channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
      ManagedChannel ch = channel;

      var good = stub(channel, "Bearer " + CALLER_KEY);
      seen.add(good.listProviders(ListProvidersRequest.getDefaultInstance()).toString());
      seen.add(good.chat(chat("echo", "hello").build()).toString());
      for (var attempt :
          List.<Runnable>of(
              () -> good.chat(chat("leaky", "hi").build()),
              () ->
                  good.stream(chat("leaky", "hi").build())
                      .forEachRemaining(c -> seen.add(c.toString())),
              () -> stub(ch, "Bearer " + PROVIDER_KEY).chat(chat("echo", "hi").build()),
              () -> stub(ch, "Bearer " + CALLER_KEY + "x").chat(chat("echo", "hi").build()),
              () -> stub(ch, CALLER_KEY).chat(chat("echo", "hi").build()))) {
        var e = catchThrowableOfType(StatusRuntimeException.class, attempt::run);
        seen.add(String.valueOf(e));
        seen.add(String.valueOf(e.getTrailers()));
      }
      seen.add(converse(channel, "Bearer " + CALLER_KEY));
      seen.add(
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + gateway.metricsPort() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body());
    } finally {
      if (channel != null) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      if (gateway != null) {
        gateway.shutdown();
      }
      upstream.stop(0);
      System.setOut(out);
      System.setErr(err);
      for (Handler h : root.getHandlers()) {
        h.flush();
        root.removeHandler(h);
      }
      for (Handler h : rootHandlers) {
        root.addHandler(h);
      }
      root.setLevel(rootLevel);
    }
    seen.add(captured.toString(StandardCharsets.UTF_8));
    String all = String.join("\n", seen);

    assertThat(all)
        .as("the scan saw the failures it was meant to")
        .contains("PROVIDER_AUTH")
        .contains("GATEWAY_UNAUTHENTICATED")
        .contains("\"message\":\"access\"")
        .contains("gateway_requests_total");
    assertThat(all)
        .doesNotContain(PROVIDER_KEY)
        .doesNotContain(CALLER_KEY)
        .doesNotContain("PROVIDERSECRET")
        .doesNotContain("CALLERSECRET");
  }

  private static ProviderServiceGrpc.ProviderServiceBlockingStub stub(
      ManagedChannel channel, String authorization) {
    Metadata headers = new Metadata();
    headers.put(AuthInterceptor.AUTHORIZATION, authorization);
    return ProviderServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static String converse(ManagedChannel channel, String authorization)
      throws InterruptedException {
    Metadata headers = new Metadata();
    headers.put(AuthInterceptor.AUTHORIZATION, authorization);
    StringBuilder seen = new StringBuilder();
    CountDownLatch done = new CountDownLatch(1);
    StreamObserver<ConverseRequest> requests =
        ProviderServiceGrpc.newStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .converse(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ConverseResponse value) {
                    seen.append(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    seen.append(t);
                    done.countDown();
                  }

                  @Override
                  public void onCompleted() {
                    done.countDown();
                  }
                });
    requests.onNext(
        ConverseRequest.newBuilder()
            .setStart(
                ConverseRequest.StartTurn.newBuilder()
                    .setTurnId("t1")
                    .setRequest(chat("leaky", "hi")))
            .build());
    requests.onCompleted();
    done.await(10, TimeUnit.SECONDS);
    return seen.toString();
  }

  /** Writes to both streams. */
  private static final class TeeStream extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    TeeStream(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) throws java.io.IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }
  }
}
