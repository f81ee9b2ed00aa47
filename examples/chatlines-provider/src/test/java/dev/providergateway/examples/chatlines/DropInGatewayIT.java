package dev.providergateway.examples.chatlines;

import static dev.providergateway.examples.chatlines.ChatLinesContractTest.envelope;
import static dev.providergateway.examples.chatlines.ChatLinesContractTest.lines;
import static dev.providergateway.examples.chatlines.ChatLinesContractTest.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CircuitState;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.ListProvidersRequest;
import dev.providergateway.v1.Message;
import dev.providergateway.v1.ModelInfo;
import dev.providergateway.v1.ProviderInfo;
import dev.providergateway.v1.ProviderServiceGrpc;
import dev.providergateway.v1.StopReason;
import dev.providergateway.v1.StreamChunk;
import dev.providergateway.v1.ToolCallFormat;
import dev.providergateway.v1.ToolDefinition;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The plugin dropped into a real gateway: the guide's commands, verbatim, in a sandbox that mirrors
 * the repository ({@code server/} and {@code examples/} link to the real ones, so {@code cp
 * examples/.../chatlines-provider.jar plugins/} copies this module's packaged jar and {@code java
 * -jar server/target/provider-gateway.jar} is the gateway's runnable jar), then calls over gRPC.
 * The upstream is the SDK's {@link FakeUpstream} speaking chat-lines.
 *
 * <p>The plugin has no resilience code: the retries, the circuit breaker, the deadline and the
 * error mapping seen here are the gateway's. The methods run in order on one gateway; the breaker
 * test comes last because it leaves the circuit open.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DropInGatewayIT {
  private static final Pattern LISTENING =
      Pattern.compile("listening on .*:(\\d+) \\(providers: (.*)\\)");

  private Path sandbox;
  private FakeUpstream upstream;
  private Process gateway;
  private ManagedChannel channel;
  private ProviderServiceGrpc.ProviderServiceBlockingStub stub;

  /** Everything the gateway wrote, stdout and stderr. */
  private final List<String> gatewayOutput = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  void startGatewayAsTheGuideSays() throws Exception {
    sandbox = Files.createTempDirectory("chatlines-dropin-");
    Files.createSymbolicLink(sandbox.resolve("server"), GuideCommands.ROOT.resolve("server"));
    Files.createSymbolicLink(sandbox.resolve("examples"), GuideCommands.ROOT.resolve("examples"));
    upstream = FakeUpstream.start();
    for (String command : GuideCommands.dropIn()) {
      if (GuideCommands.isGateway(command)) {
        gateway = shell(command).redirectErrorStream(true).start();
      } else {
        Process step = shell(command).redirectErrorStream(true).start();
        String output = new String(step.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(step.waitFor(30, TimeUnit.SECONDS)).as(command).isTrue();
        assertThat(step.exitValue()).as("'%s' failed: %s", command, output).isZero();
      }
    }
    assertThat(gateway).as("the guide starts the gateway").isNotNull();
    int port = awaitPort(gateway);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    stub = ProviderServiceGrpc.newBlockingStub(channel);
  }

  @AfterAll
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (gateway != null) {
      gateway.destroy();
      if (!gateway.waitFor(20, TimeUnit.SECONDS)) {
        gateway.destroyForcibly();
      }
    }
    if (upstream != null) {
      upstream.close();
    }
    if (sandbox != null) {
      // Walking does not follow the links to server/ and examples/: only the links are deleted.
      try (Stream<Path> files = Files.walk(sandbox)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @BeforeEach
  void forgetEarlierRequests() throws InterruptedException {
    while (upstream.pendingRequests() > 0) {
      upstream.takeRequest();
    }
  }

  @Test
  @Order(1)
  void listProviders_droppedInPlugin_registeredWithCapabilitiesFromItsFragment() throws Exception {
    ProviderInfo lines = provider("lines");

    assertThat(gatewayOutput)
        .anyMatch(line -> line.contains("loading provider plugin plugins/chatlines-provider.jar"));
    assertThat(lines.getWireType()).isEqualTo("chatlines");
    assertThat(lines.getCircuitState()).isEqualTo(CircuitState.CIRCUIT_STATE_CLOSED);
    assertThat(lines.getCapabilities().getToolCallFormat())
        .isEqualTo(ToolCallFormat.TOOL_CALL_FORMAT_ANTHROPIC);
    assertThat(lines.getCapabilities().getNativeToolCalls()).isTrue();
    assertThat(lines.getCapabilities().getRecommendedMaxTools()).isEqualTo(32);
    ModelInfo mini =
        lines.getModelsList().stream()
            .filter(m -> m.getId().equals("lines-mini"))
            .findFirst()
            .orElseThrow();
    assertThat(mini.getCapabilities().getTools()).isTrue();
    assertThat(mini.getCapabilities().getNativeToolCalls()).isFalse();
    assertThat(mini.getCapabilities().getXmlFallback()).isTrue();
    assertThat(mini.getCapabilities().getToolCallFormat())
        .isEqualTo(ToolCallFormat.TOOL_CALL_FORMAT_XML);
  }

  @Test
  @Order(2)
  void chat_text_answeredThroughThePlugin() throws Exception {
    upstream.enqueue(
        envelope(
            List.of("MODEL lines-1", text("Hello from chat-lines."), "USAGE 12 7", "END done")));

    CompletionResponse r = stub.withDeadlineAfter(20, TimeUnit.SECONDS).chat(chat("hi").build());

    assertThat(r.getContent()).isEqualTo("Hello from chat-lines.");
    assertThat(r.getProvider()).isEqualTo("lines");
    assertThat(r.getModel()).isEqualTo("lines-1");
    assertThat(r.getStopReason()).isEqualTo(StopReason.STOP_REASON_STOP);
    assertThat(r.getUsage().getTotalTokens()).isEqualTo(19);
    var sent = upstream.takeRequest();
    assertThat(sent.path()).isEqualTo("/v1/generate");
    assertThat(sent.header("x-lines-key")).isEqualTo("demo-key");
    assertThat(sent.json().path("prompt").get(0).path("from").asText()).isEqualTo("human");
  }

  @Test
  @Order(3)
  void stream_textThenToolCall_deltasThenExactlyOneFinalChunk() throws Exception {
    upstream.enqueue(
        lines(
            List.of(
                "MODEL lines-1",
                text("Let me"),
                text(" check."),
                "CALL c1 get_weather",
                "ARGS c1 " + Json.write("{\"city\":"),
                "ARGS c1 " + Json.write("\"Oslo\"}"),
                "USAGE 20 9",
                "END tool")));

    List<StreamChunk> chunks = new ArrayList<>();
    stub.withDeadlineAfter(20, TimeUnit.SECONDS).stream(
            chat("weather in Oslo?").addTools(weatherTool()).build())
        .forEachRemaining(chunks::add);

    assertThat(chunks.stream().filter(StreamChunk::getIsFinal)).hasSize(1);
    assertThat(chunks.get(chunks.size() - 1).getIsFinal()).isTrue();
    assertThat(chunks.stream().map(StreamChunk::getContent).reduce("", String::concat))
        .isEqualTo("Let me check.");
    StreamChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.getToolCallsList())
        .extracting(c -> c.getId() + " " + c.getName() + " " + c.getArguments())
        .containsExactly("c1 get_weather {\"city\":\"Oslo\"}");
    assertThat(last.getStopReason()).isEqualTo(StopReason.STOP_REASON_TOOL_CALLS);
    assertThat(last.getUsage().getTotalTokens()).isEqualTo(29);
  }

  @Test
  @Order(4)
  void chat_modelWithoutNativeTools_gatewayParsesCallsFromText() throws Exception {
    upstream.enqueue(
        envelope(
            List.of(
                text(
                    "<tool_call><name>get_weather</name><arguments>{\"city\":\"Paris\"}</arguments></tool_call>"),
                "USAGE 40 12",
                "END done")));

    CompletionResponse r =
        stub.withDeadlineAfter(20, TimeUnit.SECONDS)
            .chat(chat("weather in Paris?").setModel("lines-mini").addTools(weatherTool()).build());

    assertThat(r.getToolCallsList())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getName()).isEqualTo("get_weather");
              assertThat(c.getArguments()).isEqualTo("{\"city\":\"Paris\"}");
            });
    assertThat(r.getStopReason()).isEqualTo(StopReason.STOP_REASON_TOOL_CALLS);
    assertThat(r.getMetadataMap()).containsEntry("tool_calls.source", "text");
    var sent = upstream.takeRequest().json();
    assertThat(sent.has("toolbox"))
        .as("the fragment says lines-mini takes no tools on the wire")
        .isFalse();
    assertThat(sent.path("setup").asText()).contains("get_weather").contains("<tool_call>");
  }

  @Test
  @Order(5)
  void chat_upstream503Once_retriedByTheGatewayWithAttemptsInMetadata() throws Exception {
    upstream.enqueue(
        Response.text(503, "text/plain", "ERROR 503 \"warming up\"\n"),
        envelope(List.of(text("Recovered."), "USAGE 5 2", "END done")));

    CompletionResponse r = stub.withDeadlineAfter(20, TimeUnit.SECONDS).chat(chat("hi").build());

    assertThat(r.getContent()).isEqualTo("Recovered.");
    assertThat(r.getMetadataMap()).containsEntry("attempts", "2");
    upstream.takeRequest();
    upstream.takeRequest();
  }

  @Test
  @Order(6)
  void chat_upstream401_unauthenticatedWithProviderAuthAndNotRetried() throws Exception {
    upstream.enqueue(Response.text(401, "text/plain", "ERROR 401 \"invalid key\"\n"));

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> stub.withDeadlineAfter(20, TimeUnit.SECONDS).chat(chat("hi").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(errorInfo(e).getReason()).isEqualTo("PROVIDER_AUTH");
    assertThat(errorInfo(e).getMetadataMap())
        .containsEntry("provider", "lines")
        .containsEntry("http_status", "401");
    assertThat(e.getStatus().getDescription()).contains("invalid key").doesNotContain("demo-key");
    upstream.takeRequest();
    Thread.sleep(300);
    assertThat(upstream.pendingRequests()).as("auth failures are not retried").isZero();
  }

  @Test
  @Order(7)
  void chat_upstreamSlowerThanTheDeadline_deadlineExceeded() {
    upstream.enqueue(
        envelope(List.of(text("too late"), "END done"))
            .withDelayBeforeHeaders(Duration.ofSeconds(3)));

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> stub.withDeadlineAfter(300, TimeUnit.MILLISECONDS).chat(chat("hi").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
  }

  @Test
  @Order(8)
  void chat_upstreamKeepsFailing_breakerOpensThenFailsFastWithoutCallingIt() throws Exception {
    for (int i = 0; i < 40; i++) {
      upstream.enqueue(Response.text(500, "text/plain", "ERROR 500 \"internal\"\n"));
    }
    List<String> reasons = new ArrayList<>();
    for (int call = 0; call < 6 && !reasons.contains("CIRCUIT_OPEN"); call++) {
      StatusRuntimeException e =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () -> stub.withDeadlineAfter(20, TimeUnit.SECONDS).chat(chat("hi").build()));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      reasons.add(errorInfo(e).getReason());
    }
    assertThat(reasons).first().isEqualTo("PROVIDER_UNAVAILABLE");
    assertThat(reasons).last().isEqualTo("CIRCUIT_OPEN");
    assertThat(provider("lines").getCircuitState()).isEqualTo(CircuitState.CIRCUIT_STATE_OPEN);

    forgetEarlierRequests();
    StatusRuntimeException open =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> stub.withDeadlineAfter(20, TimeUnit.SECONDS).chat(chat("hi").build()));

    assertThat(errorInfo(open).getReason()).isEqualTo("CIRCUIT_OPEN");
    assertThat(detail(open, RetryInfo.class)).as("RetryInfo until half-open").isPresent();
    assertThat(upstream.pendingRequests())
        .as("an open circuit does not call the upstream")
        .isZero();
  }

  private ProcessBuilder shell(String command) {
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-c", "exec " + command).directory(sandbox.toFile());
    // `java` is the JDK running this test; the upstream is the fake; the port any free one.
    pb.environment()
        .put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
    pb.environment().put("CHATLINES_BASE_URL", upstream.baseUri().toString());
    pb.environment().put("PROVIDER_GATEWAY_PORT", "0");
    pb.environment().remove("CHATLINES_API_KEY");
    pb.environment().remove("PROVIDER_GATEWAY_CONFIG");
    return pb;
  }

  /** The port from the gateway's "listening on" line; the rest of stdout is drained. */
  private int awaitPort(Process process) throws Exception {
    BlockingQueue<String> out = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  out.add(line);
                  gatewayOutput.add(line);
                }
              } catch (IOException e) {
                // The process ended.
              }
            },
            "gateway-stdout");
    reader.setDaemon(true);
    reader.start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < until) {
      String line = out.poll(1, TimeUnit.SECONDS);
      if (line != null) {
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          assertThat(m.group(2)).contains("lines");
          return Integer.parseInt(m.group(1));
        }
      } else if (!process.isAlive()) {
        throw new AssertionError(
            "the gateway exited with status "
                + process.exitValue()
                + " before listening: "
                + String.join("\n", gatewayOutput));
      }
    }
    throw new AssertionError("the gateway did not report its port within 60 s");
  }

  private ProviderInfo provider(String name) {
    return stub
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .listProviders(ListProvidersRequest.getDefaultInstance())
        .getProvidersList()
        .stream()
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static ChatRequest.Builder chat(String userText) {
    return ChatRequest.newBuilder()
        .setProvider("lines")
        .addMessages(Message.newBuilder().setRole("user").setContent(userText));
  }

  private static ToolDefinition weatherTool() throws InvalidProtocolBufferException {
    Struct.Builder schema = Struct.newBuilder();
    JsonFormat.parser()
        .merge(
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}",
            schema);
    return ToolDefinition.newBuilder()
        .setName("get_weather")
        .setDescription("Current weather for a city")
        .setParameters(schema)
        .build();
  }

  private static ErrorInfo errorInfo(StatusRuntimeException e) {
    return detail(e, ErrorInfo.class).orElseThrow(() -> new AssertionError("no ErrorInfo in " + e));
  }

  private static <T extends com.google.protobuf.Message> Optional<T> detail(
      StatusRuntimeException e, Class<T> type) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status == null) {
      return Optional.empty();
    }
    for (Any any : status.getDetailsList()) {
      if (any.is(type)) {
        try {
          return Optional.of(any.unpack(type));
        } catch (InvalidProtocolBufferException ex) {
          throw new AssertionError(ex);
        }
      }
    }
    return Optional.empty();
  }
}
