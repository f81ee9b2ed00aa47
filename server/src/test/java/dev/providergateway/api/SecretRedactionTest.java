package dev.providergateway.api;

import static dev.providergateway.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Any;
import dev.providergateway.auth.ApiKeyAuthenticator;
import dev.providergateway.auth.AuthInterceptor;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.observability.JsonLogFormatter;
import dev.providergateway.observability.TextLogFormatter;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.testing.Statuses;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Configured secrets are redacted by value wherever text leaves the gateway, whatever their shape:
 * a Groq key ({@code gsk_}), an unprefixed header value and the caller's own key, in gRPC status
 * messages, status details and both log formats (stack traces included).
 */
class SecretRedactionTest {
  private static final String GROQ_KEY = "gsk_Q7w2Xk9LmN4pR8sT1vY6zA3bC5dE0fGh";
  private static final String TEAM_TOKEN = "Zq81vLw3Hn5Kp0TmRx7Yc2Bd";
  private static final String CALLER_KEY = "caller-key-5f3a9c1e7b2d4f6a8c0e";

  private final FakeUpstream upstream = FakeUpstream.start();
  private final ByteArrayOutputStream text = new ByteArrayOutputStream();
  private final ByteArrayOutputStream json = new ByteArrayOutputStream();
  private final Handler textHandler = new StreamHandler(text, new TextLogFormatter());
  private final Handler jsonHandler = new StreamHandler(json, new JsonLogFormatter());
  private TestGateway gateway;

  @BeforeEach
  void start() {
    Logger root = Logger.getLogger("");
    root.addHandler(textHandler);
    root.addHandler(jsonHandler);
    gateway =
        new TestGateway(
            ConfigLoader.parse(
                """
                providers:
                  - name: fast
                    type: groq
                    base_url: ${BASE}
                    api_key: ${GROQ_API_KEY}
                    options:
                      headers: {x-team-token: "${TEAM_TOKEN}"}
                auth:
                  keys:
                    - {id: agent, key_sha256: %s}
                """
                    .formatted(ApiKeyAuthenticator.sha256Hex(CALLER_KEY)),
                Map.of(
                    "BASE", upstream.baseUri().toString(),
                    "GROQ_API_KEY", GROQ_KEY,
                    "TEAM_TOKEN", TEAM_TOKEN)));
  }

  @AfterEach
  void stop() throws InterruptedException {
    gateway.close();
    upstream.close();
    Logger root = Logger.getLogger("");
    root.removeHandler(textHandler);
    root.removeHandler(jsonHandler);
  }

  @Test
  void chat_upstreamEchoesKeysInItsErrorBody_noSecretInStatusDetailsOrLogs() throws Exception {
    upstream.enqueue(
        Response.json(
            401,
            """
            {"error": {"message": "Invalid API Key %s (team token %s, caller %s)",
             "type": "invalid_request_error", "code": "invalid_api_key"}}
            """
                .formatted(GROQ_KEY, TEAM_TOKEN, CALLER_KEY)));

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> asCaller().chat(chat("fast", "hi").setModel("llama-3.3-70b-versatile").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(e.getStatus().getDescription()).contains("Invalid API Key [redacted]");
    assertNoSecret(e);
    assertNoSecretLogged();
  }

  @Test
  void chat_callerSendsSecretsAsValues_noSecretInStatusDetailsOrLogs() throws Exception {
    ChatRequest request =
        chat(CALLER_KEY, "hi")
            .setModel(GROQ_KEY)
            .setMessages(
                0, chat("x", "hi").getMessages(0).toBuilder().setRole("team " + TEAM_TOKEN).build())
            .build();

    StatusRuntimeException invalid =
        catchThrowableOfType(StatusRuntimeException.class, () -> asCaller().chat(request));
    StatusRuntimeException notFound =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> asCaller().chat(chat(CALLER_KEY, "hi").setModel(GROQ_KEY).build()));

    assertThat(invalid.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(notFound.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertNoSecret(invalid);
    assertNoSecret(notFound);
    assertNoSecretLogged();
  }

  @Test
  void logFormatters_exceptionCarryingSecrets_redactMessagesAndCauses() {
    LogRecord record = new LogRecord(Level.SEVERE, "upstream said " + TEAM_TOKEN);
    record.setLoggerName("dev.providergateway.test");
    record.setThrown(
        new IllegalStateException(
            "key " + GROQ_KEY, new RuntimeException("caused by caller " + CALLER_KEY)));
    asCaller().chat(chat("echo", "hi").build()); // the caller's key is now known

    String out = new TextLogFormatter().format(record) + new JsonLogFormatter().format(record);

    assertThat(out).contains("[redacted]").contains("Caused by");
    assertThat(out).doesNotContain(GROQ_KEY).doesNotContain(TEAM_TOKEN).doesNotContain(CALLER_KEY);
  }

  private ProviderServiceGrpc.ProviderServiceBlockingStub asCaller() {
    Metadata headers = new Metadata();
    headers.put(AuthInterceptor.AUTHORIZATION, "Bearer " + CALLER_KEY);
    return gateway.blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static void assertNoSecret(StatusRuntimeException e) {
    com.google.rpc.Status status = Statuses.of(e);
    StringBuilder all = new StringBuilder(String.valueOf(e.getStatus().getDescription()));
    all.append(status.getMessage());
    for (Any detail : status.getDetailsList()) {
      all.append(detail.getValue().toStringUtf8());
    }
    assertThat(all.toString())
        .doesNotContain(GROQ_KEY)
        .doesNotContain(TEAM_TOKEN)
        .doesNotContain(CALLER_KEY);
  }

  private void assertNoSecretLogged() throws InterruptedException {
    // The access line is written when the server side of the call completes, which can be just
    // after the client has its status: wait for it (bounded) rather than race it.
    String logged = "";
    for (long end = System.nanoTime() + 5_000_000_000L;
        !logged.contains("access") && System.nanoTime() < end; ) {
      Thread.sleep(10);
      textHandler.flush();
      jsonHandler.flush();
      logged = text.toString(StandardCharsets.UTF_8) + json.toString(StandardCharsets.UTF_8);
    }
    assertThat(logged).contains("access");
    assertThat(logged)
        .doesNotContain(GROQ_KEY)
        .doesNotContain(TEAM_TOKEN)
        .doesNotContain(CALLER_KEY);
  }
}
