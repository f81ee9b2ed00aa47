package dev.providergateway.auth;

import static dev.providergateway.testing.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.testing.Statuses;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import dev.providergateway.v1.ListProvidersRequest;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Caller authentication, allowlists and rate limits through the in-process gateway. */
class AuthTest {
  private static final String ADMIN_KEY = "pgw_admin_0123456789abcdef0123456789abcdef";
  private static final String LIMITED_KEY = "pgw_limited_fedcba9876543210fedcba9876543210";

  private TestGateway gateway;

  @BeforeEach
  void start() {
    String yaml =
        """
        providers:
          - {name: mirror, type: echo}
        routes:
          mixed: {targets: [{provider: echo, model: echo-1}, {provider: mirror, model: echo-1}]}
          echoes: {targets: [{provider: echo, model: echo-2}]}
        auth:
          keys:
            - {id: admin, key_sha256: %s}
            - id: limited
              key_sha256: "sha256:%s"
              providers: [echo]
              models: ["echo-*"]
              requests_per_minute: 2
              tokens_per_minute: 10
        """
            .formatted(
                ApiKeyAuthenticator.sha256Hex(ADMIN_KEY),
                ApiKeyAuthenticator.sha256Hex(LIMITED_KEY));
    gateway = new TestGateway(ConfigLoader.parse(yaml, Map.of()));
  }

  @AfterEach
  void stop() throws InterruptedException {
    gateway.close();
  }

  private ProviderServiceGrpc.ProviderServiceBlockingStub as(String authorization) {
    Metadata headers = new Metadata();
    if (authorization != null) {
      headers.put(AuthInterceptor.AUTHORIZATION, authorization);
    }
    return gateway.blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Test
  void chat_withoutKey_isUnauthenticatedWithReason() {
    var e =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> as(null).chat(chat("echo", "hi").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(Statuses.errorInfo(Statuses.of(e)).getReason()).isEqualTo("GATEWAY_UNAUTHENTICATED");
    assertThat(e.getStatus().getDescription()).contains("authorization: Bearer");
  }

  @Test
  void chat_wrongOrMalformedKey_isUnauthenticatedAndNeverEchoed() {
    for (String header : List.of("Bearer " + ADMIN_KEY + "x", "Basic " + ADMIN_KEY, "Bearer ")) {
      var e =
          catchThrowableOfType(
              StatusRuntimeException.class, () -> as(header).chat(chat("echo", "hi").build()));

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(e.toString()).doesNotContain(ADMIN_KEY);
    }
  }

  @Test
  void chatAndListProviders_validKey_pass() {
    assertThat(as("Bearer " + ADMIN_KEY).chat(chat("mirror", "hello").build()).getContent())
        .isEqualTo("hello");
    assertThat(
            as("bearer " + ADMIN_KEY)
                .listProviders(ListProvidersRequest.getDefaultInstance())
                .getProvidersCount())
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void listProviders_limitedKey_seesOnlyProvidersModelsAndRoutesItMayUse() {
    var listing =
        as("Bearer " + LIMITED_KEY).listProviders(ListProvidersRequest.getDefaultInstance());

    assertThat(listing.getProvidersList()).extracting(p -> p.getName()).containsExactly("echo");
    assertThat(listing.getProviders(0).getModelsList())
        .extracting(m -> m.getId())
        .isNotEmpty()
        .allMatch(id -> id.startsWith("echo-"));
    assertThat(listing.getRoutesList()).extracting(r -> r.getName()).containsExactly("echoes");
    assertThat(listing.toString()).doesNotContain("mirror").doesNotContain("mixed");
    var admin = as("Bearer " + ADMIN_KEY).listProviders(ListProvidersRequest.getDefaultInstance());
    assertThat(admin.getProvidersList()).extracting(p -> p.getName()).contains("echo", "mirror");
    assertThat(admin.getRoutesList()).extracting(r -> r.getName()).contains("echoes", "mixed");
  }

  @Test
  void chat_deniedRouteAlias_namesTheRouteNotItsTargets() {
    var e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> as("Bearer " + LIMITED_KEY).chat(chat("", "x").setModel("mixed").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(e.getStatus().getDescription()).contains("route 'mixed'").doesNotContain("mirror");
    assertThat(Statuses.errorInfo(Statuses.of(e)).getMetadataMap())
        .containsEntry("route", "mixed")
        .doesNotContainValue("mirror");
  }

  @Test
  void chat_deniedDefaultProvider_doesNotNameIt() throws InterruptedException {
    String yaml =
        """
        default_provider: mirror
        providers:
          - {name: mirror, type: echo}
        auth:
          keys:
            - {id: limited, key_sha256: %s, providers: [echo]}
        """
            .formatted(ApiKeyAuthenticator.sha256Hex(LIMITED_KEY));
    gateway.close();
    gateway = new TestGateway(ConfigLoader.parse(yaml, Map.of()));

    var e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> as("Bearer " + LIMITED_KEY).chat(chat("", "x").setModel("echo-1").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(e.getStatus().getDescription())
        .contains("default provider")
        .doesNotContain("mirror");
    assertThat(Statuses.errorInfo(Statuses.of(e)).getMetadataMap()).doesNotContainValue("mirror");
  }

  @Test
  void listProviders_upstreamHosts_hiddenUnlessConfiguredToShow() throws InterruptedException {
    String yaml =
        """
        providers:
          - name: remote
            type: openai
            base_url: http://upstream-7.internal.example:8080/v1
            api_key: sk-test
            default_model: gpt-4o-mini
        auth:
          show_upstream_hosts: %s
          keys:
            - {id: admin, key_sha256: %s}
        """;
    for (boolean show : List.of(false, true)) {
      gateway.close();
      gateway =
          new TestGateway(
              ConfigLoader.parse(
                  yaml.formatted(show, ApiKeyAuthenticator.sha256Hex(ADMIN_KEY)), Map.of()));

      var listing =
          as("Bearer " + ADMIN_KEY).listProviders(ListProvidersRequest.getDefaultInstance());

      var remote =
          listing.getProvidersList().stream()
              .filter(p -> p.getName().equals("remote"))
              .findFirst()
              .orElseThrow();
      assertThat(remote.getDescription()).isNotBlank();
      if (show) {
        assertThat(remote.getDescription()).contains("upstream-7.internal.example");
      } else {
        assertThat(listing.toString())
            .doesNotContain("upstream-7")
            .doesNotContain("internal.example");
      }
    }
  }

  @Test
  void health_withoutKey_staysOpenForProbes() {
    assertThat(
            HealthGrpc.newBlockingStub(gateway.channel)
                .check(HealthCheckRequest.getDefaultInstance())
                .getStatus())
        .isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void chat_providerOrModelOutsideAllowlist_isPermissionDenied() {
    var stub = as("Bearer " + LIMITED_KEY);

    var provider =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> stub.chat(chat("mirror", "x").build()));
    var model =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> stub.chat(chat("echo", "x").setModel("gpt-4o").build()));
    var route =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> stub.chat(chat("", "x").setModel("mixed").build()));

    for (var e : List.of(provider, model, route)) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(Statuses.errorInfo(Statuses.of(e)).getReason())
          .isEqualTo("GATEWAY_PERMISSION_DENIED");
      assertThat(Statuses.errorInfo(Statuses.of(e)).getMetadataMap())
          .containsEntry("key_id", "limited");
    }
    assertThat(provider.getStatus().getDescription()).contains("provider 'mirror'");
    var unknown =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> stub.chat(chat("nope", "x").build()));
    assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(unknown.getStatus().getDescription()).doesNotContain("mirror");
    var unrestricted =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> as("Bearer " + ADMIN_KEY).chat(chat("nope", "x").build()));
    assertThat(unrestricted.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(model.getStatus().getDescription()).contains("model 'gpt-4o'");
  }

  @Test
  void chat_overRequestLimit_isResourceExhaustedWithRetryInfo_untilRefilled() {
    var stub = as("Bearer " + LIMITED_KEY);
    stub.chat(chat("echo", "one").build());
    stub.chat(chat("echo", "two").build());

    var e =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> stub.chat(chat("echo", "three").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    var status = Statuses.of(e);
    assertThat(Statuses.errorInfo(status).getMetadataMap())
        .containsEntry("limit", "requests_per_minute");
    var retry = Statuses.retryInfo(status).orElseThrow().getRetryDelay();
    assertThat(Duration.ofSeconds(retry.getSeconds(), retry.getNanos()))
        .isBetween(Duration.ofSeconds(1), Duration.ofSeconds(30));

    gateway.clock.advance(Duration.ofSeconds(30));
    assertThat(stub.chat(chat("echo", "four").build()).getContent()).isEqualTo("four");
  }

  @Test
  void chat_tokensSpent_blockUntilBudgetRefills() {
    var stub = as("Bearer " + LIMITED_KEY);
    // 7 prompt words + 7 completion words: 14 tokens, over the 10 per minute.
    stub.chat(chat("echo", "a b c d e f g").build());

    var e =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> stub.chat(chat("echo", "x").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(Statuses.errorInfo(Statuses.of(e)).getMetadataMap())
        .containsEntry("limit", "tokens_per_minute");
    assertThat(Statuses.retryInfo(Statuses.of(e))).isPresent();
    gateway.clock.advance(Duration.ofMinutes(1));
    assertThat(stub.chat(chat("echo", "x").build()).getContent()).isEqualTo("x");
  }

  @Test
  void converse_deniedTurn_failsAloneInBand() {
    Metadata headers = new Metadata();
    headers.put(AuthInterceptor.AUTHORIZATION, "Bearer " + LIMITED_KEY);
    List<ConverseResponse> responses = new ArrayList<>();
    AtomicReference<Throwable> error = new AtomicReference<>();
    StreamObserver<ConverseRequest> requests =
        gateway
            .async()
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .converse(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ConverseResponse value) {
                    responses.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    error.set(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(turn("denied", "mirror"));
    requests.onNext(turn("allowed", "echo"));
    requests.onCompleted();

    assertThat(error.get()).isNull();
    assertThat(responses)
        .filteredOn(r -> r.getTurnId().equals("denied"))
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.getError().getCode())
                    .isEqualTo(Status.Code.PERMISSION_DENIED.value()));
    assertThat(responses)
        .filteredOn(r -> r.getTurnId().equals("allowed"))
        .anySatisfy(r -> assertThat(r.getChunk().getIsFinal()).isTrue());
  }

  @Test
  void response_carriesRequestId_inHeadersOrTrailers() {
    AtomicReference<Metadata> received = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    var stub =
        as("Bearer " + ADMIN_KEY)
            .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(received, trailers));
    stub.chat(chat("echo", "hi").build());
    String id =
        received.get().get(Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER));
    assertThat(id).matches("[0-9a-f]{32}");

    var denied =
        as(null).withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(received, trailers));
    catchThrowableOfType(
        StatusRuntimeException.class, () -> denied.chat(chat("echo", "hi").build()));
    assertThat(
            trailers.get().get(Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER)))
        .isNotBlank();
  }

  private static ConverseRequest turn(String id, String provider) {
    return ConverseRequest.newBuilder()
        .setStart(
            ConverseRequest.StartTurn.newBuilder()
                .setTurnId(id)
                .setRequest(chat(provider, "hi turn")))
        .build();
  }
}
