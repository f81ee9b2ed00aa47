package dev.providergateway.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.ModelInfo;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.RecordedRequest;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.TestTransport;
import dev.providergateway.registry.ProviderRegistry;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Config entries of the OpenAI family: presets by type, generic endpoints, option validation. */
class OpenAiConfigTest {
  private static final String SECRET = "secret-header-value-42";

  private static ProviderRegistry registry(String yaml) {
    return ProviderRegistry.create(
        ConfigLoader.parse(yaml, Map.of()), Map.of(), Clock.systemUTC(), TestTransport.get());
  }

  private static ProviderSettings settings(
      String type,
      String baseUrl,
      String key,
      Map<String, Object> options,
      Map<String, String> env) {
    return TestTransport.settings("p", type)
        .baseUrl(baseUrl)
        .apiKey(key)
        .options(options)
        .env(env)
        .build();
  }

  private static ProviderFactory factory(String type) {
    return OpenAiFixtures.factory(type);
  }

  @Test
  void registry_typeOpenAiWithHeaders_sendsKeyAndHeadersToBaseUrl() throws Exception {
    try (FakeUpstream upstream = FakeUpstream.start();
        ProviderRegistry registry =
            registry(
                """
            providers:
              - name: corp
                type: openai
                base_url: %s/v1
                api_key: sk-corp-0123456789
                default_model: corp-llm
                options:
                  headers: {X-Org: acme, HTTP-Referer: "https://example.com"}
            """
                    .formatted(upstream.baseUri()))) {
      upstream.enqueue(
          Response.json(
              200,
              "{\"model\":\"corp-llm\",\"choices\":[{\"message\":{\"content\":\"ok\"},"
                  + "\"finish_reason\":\"stop\"}]}"));
      var provider = registry.get("corp").provider();

      provider
          .chat(
              ChatRequest.builder("corp-llm").addMessage(Message.of(Role.USER, "hi")).build(),
              new CallContext("r", null))
          .get(10, TimeUnit.SECONDS);

      RecordedRequest sent = upstream.takeRequest();
      assertThat(sent.path()).isEqualTo("/v1/chat/completions");
      assertThat(sent.header("authorization")).isEqualTo("Bearer sk-corp-0123456789");
      assertThat(sent.header("x-org")).isEqualTo("acme");
      assertThat(sent.header("http-referer")).isEqualTo("https://example.com");
      assertThat(provider.descriptor().description()).startsWith("OpenAI-compatible");
      assertThat(provider.descriptor().models())
          .extracting(ModelInfo::id)
          .containsExactly("corp-llm");
    }
  }

  @Test
  void registry_presetType_usesPresetDefaultsUnderItsOwnName() {
    try (ProviderRegistry registry =
        registry(
            """
        providers:
          - {name: fast, type: groq, aliases: [speedy], api_key: gsk-test}
        """)) {
      OpenAiProvider provider = (OpenAiProvider) registry.get("speedy").provider();

      assertThat(provider.name()).isEqualTo("fast");
      assertThat(provider.descriptor().wireType()).isEqualTo("openai");
      assertThat(provider.descriptor().defaultModel()).isEqualTo("llama-3.3-70b-versatile");
      assertThat(OpenAiFixtures.endpoint(provider, "m"))
          .isEqualTo(URI.create("https://api.groq.com/openai/v1/chat/completions"));
    }
  }

  @Test
  void registry_invalidOption_failsNamingEntryAndOption() {
    Throwable t =
        catchThrowable(
            () ->
                registry(
                    """
        providers:
          - {name: corp, type: openai, base_url: "http://localhost:9/v1", options: {temprature: 1}}
        """));

    assertThat(t)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("providers[0]")
        .hasMessageContaining("options.temprature")
        .hasMessageContaining("expected one of headers, stream_usage");
  }

  static Stream<Arguments> invalidOptions() {
    return Stream.of(
        Arguments.of(
            "openai", Map.of("bogus", 1), "options.bogus: unknown option for type 'openai'"),
        Arguments.of(
            "groq", Map.of("api_version", "2024-10-21"), "options.api_version: unknown option"),
        Arguments.of("openai", Map.of("headers", "X-A: b"), "options.headers: expected a map"),
        Arguments.of(
            "openai",
            Map.of("headers", Map.of("X-Key", 5)),
            "options.headers.X-Key: expected a string"),
        Arguments.of(
            "openai",
            Map.of("headers", Map.of("Host", SECRET)),
            "options.headers.Host: the gateway sets this header itself"),
        Arguments.of(
            "openai",
            Map.of("headers", Map.of("Content-Type", SECRET)),
            "options.headers.Content-Type: the gateway"),
        Arguments.of(
            "openai",
            Map.of("headers", Map.of("Authorization", "Bearer " + SECRET)),
            "options.headers.Authorization: conflicts with the authorization header"),
        Arguments.of(
            "azure",
            Map.of("headers", Map.of("API-Key", SECRET)),
            "options.headers.API-Key: conflicts with the api-key header"),
        Arguments.of(
            "openai",
            Map.of("stream_usage", "yes"),
            "options.stream_usage: expected true or false"),
        Arguments.of(
            "azure",
            Map.of("api_version", "latest"),
            "options.api_version: expected a version such as 2024-10-21"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("invalidOptions")
  void create_invalidOption_rejectedNamingOptionNeverValue(
      String type, Map<String, Object> options, String message) {
    Throwable t =
        catchThrowable(
            () ->
                factory(type)
                    .create(
                        settings(type, "https://api.example.com/v1", "key-1", options, Map.of())));

    assertThat(t).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    assertThat(t.getMessage()).doesNotContain(SECRET).doesNotContain("key-1");
  }

  @Test
  void create_authorizationHeaderWithoutApiKey_allowedForCustomAuth() throws Exception {
    try (FakeUpstream upstream = FakeUpstream.start()) {
      var provider =
          factory("openai")
              .create(
                  settings(
                      "openai",
                      upstream.baseUri() + "/v1",
                      null,
                      Map.of("headers", Map.of("Authorization", "Bearer proxy-token")),
                      Map.of()));
      upstream.enqueue(OpenAiFixtures.text("ok"));

      OpenAiFixtures.chat(provider, OpenAiFixtures.request("m", "hi").build());

      assertThat(upstream.takeRequest().header("authorization")).isEqualTo("Bearer proxy-token");
    }
  }

  @Test
  void create_hostedPresetWithoutKey_rejectedNamingTheVariable() {
    Throwable t =
        catchThrowable(
            () -> factory("groq").create(settings("groq", null, null, Map.of(), Map.of())));

    assertThat(t)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("api_key is required for type 'groq'")
        .hasMessageContaining("${GROQ_API_KEY}");
  }

  @Test
  void create_officialOpenAiWithoutKey_rejected() {
    assertThat(
            catchThrowable(
                () -> factory("openai").create(settings("openai", null, null, Map.of(), Map.of()))))
        .hasMessageContaining("api_key is required for type 'openai' at https://api.openai.com/v1");
  }

  @Test
  void create_localServerWithoutKey_accepted() {
    var provider =
        (OpenAiProvider) factory("vllm").create(settings("vllm", null, null, Map.of(), Map.of()));

    assertThat(OpenAiFixtures.endpoint(provider, "m"))
        .isEqualTo(URI.create("http://localhost:8000/v1/chat/completions"));
  }

  @Test
  void create_azureWithoutEndpoint_rejectedNamingTheVariable() {
    assertThat(
            catchThrowable(
                () -> factory("azure").create(settings("azure", null, "az", Map.of(), Map.of()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("base_url is required for type 'azure'")
        .hasMessageContaining("AZURE_OPENAI_ENDPOINT");
  }

  @Test
  void create_badBaseUrlFromVariable_rejectedNamingTheVariable() {
    Throwable t =
        catchThrowable(
            () ->
                factory("groq")
                    .create(
                        settings(
                            "groq",
                            null,
                            "gsk",
                            Map.of(),
                            Map.of("GROQ_BASE_URL", "ftp://files.example.com"))));

    assertThat(t)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("GROQ_BASE_URL")
        .hasMessageContaining("https://api.groq.com/openai/v1");
  }

  @Test
  void create_configEntryWithoutBaseUrl_honoursBaseUrlVariable() {
    var provider =
        (OpenAiProvider)
            factory("lmstudio")
                .create(
                    settings(
                        "lmstudio",
                        null,
                        null,
                        Map.of(),
                        Map.of("LMSTUDIO_BASE_URL", "http://studio:1234/v1")));

    assertThat(OpenAiFixtures.endpoint(provider, "m"))
        .isEqualTo(URI.create("http://studio:1234/v1/chat/completions"));
  }

  @Test
  void create_streamUsageOption_overridesPresetDefault() {
    var mistral =
        (OpenAiProvider)
            factory("mistral")
                .create(settings("mistral", null, "m-key", Map.of("stream_usage", true), Map.of()));
    var llama =
        (OpenAiProvider)
            factory("llamacpp")
                .create(settings("llamacpp", null, null, Map.of("stream_usage", false), Map.of()));

    assertThat(mistral.settings().streamUsage()).isTrue();
    assertThat(llama.settings().streamUsage()).isFalse();
  }

  @Test
  void toString_hidesKeyAndHeaderValues() {
    var provider =
        (OpenAiProvider)
            factory("openai")
                .create(
                    settings(
                        "openai",
                        "https://api.example.com/v1",
                        "sk-hidden-1",
                        Map.of("headers", Map.of("X-Secret", SECRET)),
                        Map.of()));

    assertThat(provider + " " + provider.settings())
        .doesNotContain("sk-hidden-1")
        .doesNotContain(SECRET);
  }
}
