package dev.providergateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.Status;
import dev.providergateway.auth.ApiKeyAuthenticator;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.testing.RedisServer;
import dev.providergateway.testing.Requests;
import dev.providergateway.testing.Statuses;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway processes (the packaged jar) sharing one real redis-server, and a client that
 * alternates between them: a key's limits hold exactly across both, one replica's 429 spares the
 * other, and killing Redis mid-run fails no call (or, under fail_closed, every call with a clear
 * reason).
 */
class FleetIT {
  private static final Pattern LISTENING = Pattern.compile("listening on .*:(\\d+) \\(providers");
  private static final Path JAR =
      Path.of(System.getProperty("gateway.jar", "target/provider-gateway.jar"));

  @TempDir Path dir;
  private RedisServer redis;
  private final List<Replica> replicas = new ArrayList<>();

  /** One gateway process and a channel to it. */
  private record Replica(
      Process process, Path stderr, int port, int metricsPort, ManagedChannel channel) {
    ProviderServiceGrpc.ProviderServiceBlockingStub as(String key) {
      Metadata headers = new Metadata();
      headers.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
      return ProviderServiceGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    String metrics() throws IOException, InterruptedException {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    }

    long warnings(String text) throws IOException {
      return Files.readAllLines(stderr).stream().filter(l -> l.contains(text)).count();
    }
  }

  // A real OpenAI-format upstream that throttles every call: what replica A sees, B must avoid.
  private final FakeUpstream throttling =
      FakeUpstream.startTracked()
          .otherwise(
              r ->
                  FakeUpstream.Response.json(
                          429,
                          "{\"error\":{\"message\":\"Rate limit reached\","
                              + "\"type\":\"requests\",\"param\":null,"
                              + "\"code\":\"rate_limit_exceeded\"}}")
                      .withHeader("retry-after", "60"));

  @BeforeEach
  void startRedis() {
    redis = RedisServer.start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (Replica r : replicas) {
      r.channel.shutdownNow();
      r.process.destroy();
    }
    for (Replica r : replicas) {
      if (!r.process.waitFor(20, TimeUnit.SECONDS)) {
        r.process.destroyForcibly();
      }
    }
    redis.close();
    throttling.close();
  }

  private String config(boolean failClosed, boolean urlInFile) {
    StringBuilder keys = new StringBuilder();
    for (String[] k :
        new String[][] {
          {"five", "requests_per_minute: 5"},
          {"tokens", "tokens_per_minute: 40"},
          {"after", "requests_per_minute: 5"},
          {"busy", "requests_per_minute: 100000"}
        }) {
      keys.append("    - {id: ")
          .append(k[0])
          .append(", key_sha256: ")
          .append(ApiKeyAuthenticator.sha256Hex(k[0] + "-secret-key"))
          .append(", ")
          .append(k[1])
          .append("}\n");
    }
    return "server: {host: 127.0.0.1, port: 0}\n"
        + "resilience: {max_retries: 0}\n"
        + "providers:\n"
        + "  - {name: up, type: openai, base_url: \""
        + throttling.baseUri()
        + "/v1\", api_key: \"${FLEET_UPSTREAM_KEY}\"}\n"
        + "auth:\n  keys:\n"
        + keys
        + "metrics: {enabled: true, host: 127.0.0.1, port: %d}\n"
        + "state:\n"
        + (urlInFile ? "  redis_url: " + redis.url() + "\n" : "")
        + "  key_prefix: \"fleet-test:\"\n"
        + "  replicas: 2\n"
        + "  timeout: 250ms\n"
        + "  fail_closed: "
        + failClosed
        + "\n";
  }

  private Replica start(String name, boolean failClosed, boolean urlInFile) throws Exception {
    int metricsPort = freePort();
    Path config = dir.resolve(name + ".yaml");
    Files.writeString(config, config(failClosed, urlInFile).formatted(metricsPort));
    Path stderr = dir.resolve(name + ".err");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                JAR.toString(),
                "--config",
                config.toString())
            .redirectError(stderr.toFile());
    builder.environment().put("FLEET_UPSTREAM_KEY", "sk-fleet-test");
    if (!urlInFile) {
      builder.environment().put("PROVIDER_GATEWAY_REDIS_URL", redis.url());
    }
    Process process = builder.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertThat(line).as("stdout of %s (stderr: %s)", name, stderrOf(stderr)).isNotNull();
    Matcher m = LISTENING.matcher(line);
    assertThat(m.find()).as(line).isTrue();
    int port = Integer.parseInt(m.group(1));
    Replica replica =
        new Replica(
            process,
            stderr,
            port,
            metricsPort,
            ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
    replicas.add(replica);
    return replica;
  }

  private static String stderrOf(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static ChatRequest hello(String model) {
    return Requests.chat("echo", "hello fleet").setModel(model).build();
  }

  /** How many of {@code calls} alternating calls were admitted; the rest must be over the limit. */
  private static int admitted(List<Replica> pair, String key, int calls, long pauseMillis)
      throws InterruptedException {
    int ok = 0;
    for (int i = 0; i < calls; i++) {
      try {
        pair.get(i % 2).as(key + "-secret-key").chat(hello("echo-1"));
        ok++;
      } catch (StatusRuntimeException e) {
        Status s = Statuses.of(e);
        assertThat(e.getStatus().getCode())
            .as(e.getMessage())
            .isEqualTo(io.grpc.Status.Code.RESOURCE_EXHAUSTED);
        assertThat(Statuses.errorInfo(s).getReason()).isEqualTo("GATEWAY_OVERLOADED");
      }
      Thread.sleep(pauseMillis);
    }
    return ok;
  }

  @Test
  void twoReplicas_shareLimitsCooldownsAndSurviveRedisLoss() throws Exception {
    Replica a = start("a", false, true);
    Replica b = start("b", false, false); // the URL from PROVIDER_GATEWAY_REDIS_URL
    List<Replica> pair = List.of(a, b);

    // A key allowed 5 requests a minute gets exactly 5 across both replicas (not 10).
    assertThat(admitted(pair, "five", 12, 0)).isEqualTo(5);

    // Tokens per minute likewise: admitted while the shared budget is above zero. The charge of a
    // finished call is sent to Redis as its answer goes out; the short pause lets it land first.
    CompletionResponse first = a.as("busy-secret-key").chat(hello("echo-1"));
    long perCall = first.getUsage().getTotalTokens();
    assertThat(perCall).isPositive();
    long expected = (40 + perCall - 1) / perCall;
    assertThat(expected).as("a meaningful budget").isBetween(2L, 20L);
    long started = System.nanoTime();
    int tokensAdmitted = admitted(pair, "tokens", (int) expected + 4, 30);
    // The bucket refills greedily (40 a minute): what a slow machine's seconds add is allowed too.
    double seconds = (System.nanoTime() - started) / 1e9;
    long withRefill = (long) Math.ceil((40 + 40 * seconds / 60) / perCall);
    assertThat(tokensAdmitted).isBetween((int) expected, (int) withRefill);
    assertThat(withRefill)
        .as("unshared buckets would admit about twice as many")
        .isLessThan(2 * expected);

    // A 429 seen by replica A makes replica B avoid that deployment at once: B answers from the
    // shared cooldown without sending the upstream a request of its own.
    ChatRequest throttled = Requests.chat("up", "hello fleet").setModel("cool-1").build();
    StatusRuntimeException onA =
        catchThrowableOfType(
            () -> a.as("busy-secret-key").chat(throttled), StatusRuntimeException.class);
    assertThat(Statuses.errorInfo(Statuses.of(onA)).getReason()).isEqualTo("PROVIDER_RATE_LIMIT");
    assertThat(throttling.requestCount()).isEqualTo(1);
    await(
        () -> {
          try {
            b.as("busy-secret-key").chat(throttled);
            return false;
          } catch (StatusRuntimeException e) {
            return e.getMessage().contains("cooling down");
          }
        },
        "replica B fails fast for the deployment A saw throttled",
        2);
    // The cooldown reaches B through Redis within a round trip or two (published as A's 429 comes
    // back), so a call B started in that window may still have gone upstream: at most one.
    int seen = throttling.requestCount();
    assertThat(seen).as("upstream requests before B avoided the deployment").isBetween(1, 2);
    for (int i = 0; i < 3; i++) {
      StatusRuntimeException onB =
          catchThrowableOfType(
              () -> b.as("busy-secret-key").chat(throttled), StatusRuntimeException.class);
      assertThat(Statuses.errorInfo(Statuses.of(onB)).getReason()).isEqualTo("PROVIDER_RATE_LIMIT");
    }
    assertThat(throttling.requestCount())
        .as("once the shared cooldown is in, B sends the throttled upstream nothing")
        .isEqualTo(seen);

    // Redis killed mid-run: no call fails because of it.
    for (int i = 0; i < 6; i++) {
      pair.get(i % 2).as("busy-secret-key").chat(hello("echo-1"));
    }
    redis.kill();
    for (int i = 0; i < 20; i++) {
      pair.get(i % 2).as("busy-secret-key").chat(hello("echo-1"));
    }
    for (Replica r : pair) {
      await(() -> metric(r).equals("0.0"), "gateway_state_store_up 0", 20);
      assertThat(r.warnings("is unreachable")).as(stderrOf(r.stderr)).isEqualTo(1);
    }

    // After Redis restarts the limits are shared again (and the warning was not repeated).
    redis.restart();
    for (Replica r : pair) {
      await(() -> metric(r).equals("1.0"), "gateway_state_store_up 1", 20);
    }
    assertThat(admitted(pair, "after", 10, 0)).isEqualTo(5);
    for (Replica r : pair) {
      assertThat(r.warnings("is unreachable")).isEqualTo(1);
    }
  }

  @Test
  void failClosed_redisKilled_everyCallFailsWithTheReason() throws Exception {
    Replica a = start("closed", true, true);
    a.as("busy-secret-key").chat(hello("echo-1"));

    redis.kill();

    for (int i = 0; i < 5; i++) {
      StatusRuntimeException e =
          catchThrowableOfType(
              () -> a.as("busy-secret-key").chat(hello("echo-1")), StatusRuntimeException.class);
      assertThat(e).as("call %d", i).isNotNull();
      assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
      assertThat(Statuses.errorInfo(Statuses.of(e)).getReason()).isEqualTo("GATEWAY_UNAVAILABLE");
      assertThat(e.getMessage()).contains("state.fail_closed").contains("unreachable");
    }
  }

  @Test
  void unreachableAtStartup_failClosed_refusesToStartNamingTheKey() throws Exception {
    redis.kill();
    Path config = dir.resolve("down.yaml");
    Files.writeString(config, config(true, true).formatted(freePort()));
    ProcessBuilder down =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            JAR.toString(),
            "--config",
            config.toString());
    down.environment().put("FLEET_UPSTREAM_KEY", "sk-fleet-test");
    Process p = down.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(err).isEqualTo(2);
    assertThat(err).contains("state.redis_url").contains("cannot reach Redis");
  }

  @Test
  void unreachableAtStartup_startsInFallbackNamingTheKey_sharesOnceRedisIsUp() throws Exception {
    redis.kill();
    Replica a = start("early", false, true);

    assertThat(stderrOf(a.stderr))
        .contains("state.redis_url")
        .contains("is unreachable")
        .contains("falling back to local limits");
    assertThat(metric(a)).isEqualTo("0.0");
    // Served in fallback mode: 5 a minute over 2 replicas is 2 or 3 here (one local bucket).
    int alone = admitted(List.of(a, a), "five", 6, 0);
    assertThat(alone).isBetween(2, 3);

    redis.restart();
    await(() -> metric(a).equals("1.0"), "gateway_state_store_up 1 once Redis is up", 20);
    Replica b = start("later", false, false);
    assertThat(admitted(List.of(a, b), "after", 10, 0))
        .as("shared once connected: exactly 5 across both")
        .isEqualTo(5);
  }

  @Test
  void badRedisUrl_refusesToStartNamingTheKey() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(
        config,
        config(false, false).formatted(freePort())
            + "  redis_url: \"http://:hunter2@127.0.0.1:"
            + redis.port()
            + "\"\n");
    ProcessBuilder bad =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            JAR.toString(),
            "--config",
            config.toString());
    bad.environment().put("FLEET_UPSTREAM_KEY", "sk-fleet-test");
    Process p = bad.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(err).isEqualTo(2);
    assertThat(err)
        .contains("state.redis_url")
        .contains("not a Redis URL")
        .doesNotContain("hunter2");
  }

  private static String metric(Replica r) {
    try {
      for (String line : r.metrics().split("\n")) {
        if (line.startsWith("gateway_state_store_up")) {
          return line.substring(line.lastIndexOf(' ') + 1).strip();
        }
      }
      return "absent";
    } catch (IOException | InterruptedException e) {
      return "unreachable";
    }
  }

  private static void await(BooleanSupplier condition, String what, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
