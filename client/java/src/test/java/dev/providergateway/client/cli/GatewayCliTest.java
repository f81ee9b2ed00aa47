package dev.providergateway.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.client.FakeProviderService;
import dev.providergateway.client.InProcessGateway;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CircuitState;
import dev.providergateway.v1.ListProvidersResponse;
import dev.providergateway.v1.ModelInfo;
import dev.providergateway.v1.ProviderInfo;
import dev.providergateway.v1.RouteInfo;
import dev.providergateway.v1.RouteTarget;
import io.grpc.ManagedChannel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GatewayCliTest {
  private final InProcessGateway gateway = new InProcessGateway();
  private final FakeProviderService fake = gateway.service;
  private final List<String> targets = new CopyOnWriteArrayList<>();
  private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @AfterEach
  void tearDown() {
    gateway.close();
  }

  private int run(String... args) {
    return GatewayCli.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        target -> {
          targets.add(target);
          ManagedChannel channel = gateway.newChannel();
          channels.add(channel);
          return channel;
        });
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void chat_echo_printsReplyAndUsageAndShutsChannelDown() {
    int code = run("chat", "hello", "world");

    assertThat(code).isZero();
    assertThat(out()).isEqualTo("hello world" + System.lineSeparator());
    assertThat(err())
        .contains("usage: prompt_tokens=2 completion_tokens=2 total_tokens=4 stop=stop")
        .contains("provider=echo model=echo-1");
    assertThat(targets).containsExactly("localhost:50051");
    assertThat(channels).allMatch(ManagedChannel::isShutdown);
  }

  @Test
  void chat_options_forwardedInRequest() throws Exception {
    int code =
        run(
            "--target",
            "gw.internal:7000",
            "chat",
            "--provider",
            "openai",
            "--model",
            "gpt-4o-mini",
            "--system",
            "be brief",
            "--temperature",
            "0.3",
            "--max-tokens",
            "42",
            "hi");

    assertThat(code).isZero();
    ChatRequest request = fake.requests.poll(5, TimeUnit.SECONDS);
    assertThat(request.getProvider()).isEqualTo("openai");
    assertThat(request.getModel()).isEqualTo("gpt-4o-mini");
    assertThat(request.getMessagesList())
        .extracting(m -> m.getRole() + ":" + m.getContent())
        .containsExactly("system:be brief", "user:hi");
    assertThat(request.getTemperature()).isEqualTo(0.3);
    assertThat(request.getMaxTokens()).isEqualTo(42);
    assertThat(targets).containsExactly("gw.internal:7000");
  }

  @Test
  void chat_toolCallReply_printsToolCallLines() {
    int code = run("chat", "call get_weather {\"city\":\"Paris\"}");

    assertThat(code).isZero();
    assertThat(out())
        .isEqualTo("tool_call get_weather {\"city\":\"Paris\"}" + System.lineSeparator());
    assertThat(err()).contains("stop=tool_calls");
  }

  @Test
  void stream_echo_printsDeltasThenNewline() {
    int code = run("stream", "hello big world");

    assertThat(code).isZero();
    assertThat(out()).isEqualTo("hello big world" + System.lineSeparator());
    assertThat(err()).contains("completion_tokens=3");
  }

  @Test
  void stream_failsMidway_printsPartialLineThenErrorAndExits1() {
    fake.failWith = FakeProviderService.rateLimited();
    fake.failAfterChunks = 1;

    int code = run("stream", "a b c");

    assertThat(code).isEqualTo(1);
    assertThat(out()).isEqualTo("a" + System.lineSeparator());
    assertThat(err()).startsWith("error: RESOURCE_EXHAUSTED PROVIDER_RATE_LIMIT");
  }

  @Test
  void providers_printsTableWithRoutes() {
    fake.providers =
        ListProvidersResponse.newBuilder()
            .addProviders(
                ProviderInfo.newBuilder()
                    .setName("echo")
                    .setWireType("echo")
                    .setDefaultModel("echo-1")
                    .addModels(ModelInfo.newBuilder().setId("echo-1"))
                    .setCircuitState(CircuitState.CIRCUIT_STATE_CLOSED))
            .addProviders(
                ProviderInfo.newBuilder()
                    .setName("openai")
                    .addAliases("oai")
                    .addAliases("gpt")
                    .setWireType("openai")
                    .setDefaultModel("gpt-4o-mini")
                    .addModels(ModelInfo.newBuilder().setId("gpt-4o"))
                    .addModels(ModelInfo.newBuilder().setId("gpt-4o-mini"))
                    .setCircuitState(CircuitState.CIRCUIT_STATE_OPEN))
            .addRoutes(
                RouteInfo.newBuilder()
                    .setName("fast")
                    .addTargets(
                        RouteTarget.newBuilder().setProvider("openai").setModel("gpt-4o-mini"))
                    .addTargets(RouteTarget.newBuilder().setProvider("echo")))
            .setDefaultProvider("echo")
            .build();

    int code = run("providers");

    assertThat(code).isZero();
    assertThat(out().lines())
        .containsExactly(
            "NAME            ALIASES  WIRE_TYPE  CIRCUIT  MODELS",
            "echo (default)  -        echo       closed   echo-1*",
            "openai          oai,gpt  openai     open     gpt-4o,gpt-4o-mini*",
            "",
            "ROUTE  TARGETS",
            "fast   openai/gpt-4o-mini -> echo");
  }

  @Test
  void chat_gatewayError_printsCodeReasonRetryAndExits1() {
    fake.failWith = FakeProviderService.rateLimited();

    int code = run("chat", "hi");

    assertThat(code).isEqualTo(1);
    assertThat(out()).isEmpty();
    assertThat(err().lines())
        .containsExactly(
            "error: RESOURCE_EXHAUSTED PROVIDER_RATE_LIMIT: openai rate limit exceeded",
            "retry after 3s");
  }

  @Test
  void chat_timeoutPasses_printsDeadlineExceededAndExits1() {
    int code = run("--timeout", "200ms", "chat", FakeProviderService.HANG);

    assertThat(code).isEqualTo(1);
    assertThat(err()).startsWith("error: DEADLINE_EXCEEDED");
  }

  @Test
  void run_noSubcommand_exits2() {
    assertThat(run()).isEqualTo(2);
    assertThat(err()).contains("Missing required subcommand");
  }

  @Test
  void chat_noMessage_exits2WithoutCalling() {
    assertThat(run("chat")).isEqualTo(2);
    assertThat(targets).isEmpty();
  }

  @Test
  void run_badTimeout_exits2() {
    assertThat(run("--timeout", "soon", "providers")).isEqualTo(2);
    assertThat(err()).contains("not a duration");
  }

  @Test
  void help_printsUsageAndExits0() {
    assertThat(run("--help")).isZero();
    assertThat(out()).contains("chat", "stream", "providers", "--target");
  }

  @Test
  void durationConverter_units_parse() {
    DurationConverter converter = new DurationConverter();

    assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(converter.convert("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(converter.convert("15")).isEqualTo(Duration.ofSeconds(15));
    assertThat(converter.convert("PT1H")).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void seconds_fractionalDelay_keepsFraction() {
    assertThat(GatewayCli.seconds(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(GatewayCli.seconds(Duration.ofSeconds(3))).isEqualTo("3s");
  }

  @Test
  void apiKey_option_sentAsBearerAuthorization() {
    assertThat(run("--api-key", "k-123", "chat", "hello")).isZero();

    assertThat(gateway.authorizations).containsExactly("Bearer k-123");
  }

  @Test
  void apiKey_none_noAuthorizationHeader() {
    // The default comes from PROVIDER_GATEWAY_API_KEY, which the build does not set.
    assertThat(System.getenv("PROVIDER_GATEWAY_API_KEY")).isNull();
    assertThat(run("chat", "hello")).isZero();

    assertThat(gateway.authorizations).containsExactly("");
  }

  @Test
  void version_printsTheBuildVersion() {
    assertThat(run("--version")).isZero();

    assertThat(out()).matches("provider-gateway-cli \\d+\\.\\d+\\.\\d+\\S*\\R");
  }

  @Test
  void unreachableGateway_errorNamesTheAddress() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    int code =
        GatewayCli.run(
            new String[] {"--target", "127.0.0.1:" + closedPort, "--timeout", "20s", "chat", "hi"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            null);

    assertThat(code).isEqualTo(1);
    assertThat(err())
        .startsWith(
            "error: UNAVAILABLE: cannot reach the gateway at 127.0.0.1:"
                + closedPort
                + " (plaintext): ")
        .containsIgnoringCase("refused");
  }

  @Test
  void caFile_missing_usageErrorNamingTheFile() {
    int code =
        GatewayCli.run(
            new String[] {"--ca-file", "/no/such/ca.pem", "chat", "hi"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            null);

    assertThat(code).isEqualTo(2);
    assertThat(err()).contains("cannot use --ca-file /no/such/ca.pem");
  }
}
