package dev.providergateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.providergateway.auth.ApiKeyAuthenticator;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.config.GatewayConfig;
import dev.providergateway.observability.JsonLogFormatter;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.RecordedRequest;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.server.GatewayServer;
import dev.providergateway.testing.MutableClock;
import dev.providergateway.v1.AdminServiceGrpc;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * The real gateway (Netty on a loopback port) in front of a fake OpenAI upstream that answers by
 * model, with three keys (team-a with a 0.01 USD daily budget, team-b, and the admin key ops), a
 * clock the test moves, and the JSON access log captured.
 *
 * <p>Upstream models: anything not below answers "ok" with usage 3 prompt + 1 completion tokens;
 * {@code hang*} streams "Hello there, friend" and then hangs; {@code dies*} streams the same and
 * resets the connection; {@code usage-then-dies*} streams text and a usage chunk (7 + 5 tokens) and
 * then resets; {@code fail*} answers HTTP 500; {@code silent*} sends headers and then only SSE
 * comments.
 */
final class UsageGateway implements AutoCloseable {
  static final String KEY_A = "key-team-a-0123456789";
  static final String KEY_B = "key-team-b-0123456789";
  static final String KEY_OPS = "key-ops-0123456789abc";
  static final String TEXT = "Hello there, friend";

  private static final ObjectMapper JSON = new ObjectMapper();

  final MutableClock clock = MutableClock.followingRealTime();
  final FakeUpstream upstream = FakeUpstream.startTracked().otherwise(UsageGateway::answer);
  final FakeUpstream backup = FakeUpstream.startTracked().otherwise(UsageGateway::answer);
  final GatewayServer gateway;
  final ManagedChannel channel;
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private final StreamHandler handler = new StreamHandler(log, new JsonLogFormatter());
  private final Logger access = Logger.getLogger("dev.providergateway.access");

  UsageGateway(String extraYaml) throws Exception {
    String yaml =
        """
        server: {host: 127.0.0.1, port: 0, shutdown_grace: 2s}
        metrics: {enabled: true, host: 127.0.0.1, port: 0}
        resilience: {max_retries: 0, first_token_timeout: 3s, idle_timeout: 10s}
        providers:
          - {name: openai, type: openai, base_url: "%s/v1", api_key: k}
          - {name: backup, type: openai, base_url: "%s/v1", api_key: k}
        routes:
          smart: {targets: [{provider: openai, model: silent-1}, {provider: backup, model: gpt-4o-mini}]}
        pricing:
          models:
            - {model: "*pricey*", input: 1000, output: 1000}
        auth:
          keys:
            - id: team-a
              key_sha256: %s
              budget: {period: day, amount: 0.01, warn_percent: 50}
            - {id: team-b, key_sha256: %s}
            - {id: ops, key_sha256: %s, admin: true}
        """
                .formatted(
                    upstream.baseUri(),
                    backup.baseUri(),
                    ApiKeyAuthenticator.sha256Hex(KEY_A),
                    ApiKeyAuthenticator.sha256Hex(KEY_B),
                    ApiKeyAuthenticator.sha256Hex(KEY_OPS))
            + extraYaml;
    GatewayConfig config = ConfigLoader.parse(yaml, Map.of());
    access.addHandler(handler);
    gateway = GatewayServer.nettyBuilder(config, Map.of(), clock).build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
  }

  ProviderServiceGrpc.ProviderServiceBlockingStub blocking(String key) {
    return ProviderServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(key)))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  ProviderServiceGrpc.ProviderServiceStub async(String key) {
    return ProviderServiceGrpc.newStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(key)));
  }

  AdminServiceGrpc.AdminServiceBlockingStub admin(String key) {
    return AdminServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(key)))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static Metadata bearer(String key) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    return headers;
  }

  /** The access lines written so far, parsed. */
  List<JsonNode> accessLines() throws Exception {
    handler.flush();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : log.toString(StandardCharsets.UTF_8).split("\\R")) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }

  /** Waits (up to 20 s) until {@code count} access lines match {@code which}; returns them. */
  List<JsonNode> awaitLines(Predicate<JsonNode> which, int count) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      List<JsonNode> found = accessLines().stream().filter(which).toList();
      if (found.size() >= count || System.nanoTime() > end) {
        assertThat(found).as("access lines").hasSizeGreaterThanOrEqualTo(count);
        return found;
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    gateway.shutdown();
    access.removeHandler(handler);
    upstream.close();
    backup.close();
  }

  // ---- the fake OpenAI upstream (shapes as in OpenAI's Chat Completions reference) ----

  static Response answer(RecordedRequest r) {
    String model = r.json().path("model").asText();
    if (r.path().endsWith("/embeddings")) {
      // As in OpenAI's Embeddings reference: one vector per input, usage with prompt tokens only.
      return Response.json(
          200,
          "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
              + "\"embedding\":[0.5,-0.25]}],\"model\":\""
              + model
              + "\",\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}");
    }
    boolean stream = r.json().path("stream").asBoolean();
    if (model.startsWith("hang")) {
      return Response.stream(200, "text/event-stream", Duration.ZERO, List.of(chunk(model, TEXT)))
          .thenHang(": ping\n\n");
    } else if (model.startsWith("dies")) {
      return Response.stream(200, "text/event-stream", Duration.ZERO, List.of(chunk(model, TEXT)))
          .thenReset();
    } else if (model.startsWith("usage-then-dies")) {
      return Response.stream(
              200,
              "text/event-stream",
              Duration.ZERO,
              List.of(chunk(model, TEXT), usageChunk(model, 7, 5)))
          .thenReset();
    } else if (model.startsWith("fail")) {
      return Response.json(
          500,
          "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\","
              + "\"param\":null,\"code\":null}}");
    } else if (model.startsWith("silent")) {
      return Response.stream(200, "text/event-stream", Duration.ZERO, List.of())
          .thenHang(": ping\n\n");
    }
    if (!stream) {
      return Response.json(
          200,
          "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\""
              + model
              + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
              + "\"finish_reason\":\"stop\"}],"
              + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}");
    }
    return Response.sse(
        List.of(
            chunk(model, "ok"),
            "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                + "\"model\":\""
                + model
                + "\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
            usageChunk(model, 3, 1),
            "data: [DONE]\n\n"));
  }

  static String chunk(String model, String content) {
    return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
        + "\"model\":\""
        + model
        + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + content
        + "\"},\"finish_reason\":null}]}\n\n";
  }

  static String usageChunk(String model, int prompt, int completion) {
    return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
        + "\"model\":\""
        + model
        + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":"
        + prompt
        + ",\"completion_tokens\":"
        + completion
        + ",\"total_tokens\":"
        + (prompt + completion)
        + "}}\n\n";
  }
}
