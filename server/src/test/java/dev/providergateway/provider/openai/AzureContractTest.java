package dev.providergateway.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.testing.EventCollector;
import dev.providergateway.provider.testing.FakeUpstream.RecordedRequest;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.TestTransport;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The provider contract over Azure OpenAI: the wire format is OpenAI's (the fixtures are
 * inherited), but every request goes to the deployment URL with {@code api-version} and an {@code
 * api-key} header instead of a Bearer token.
 */
class AzureContractTest extends OpenAiContractTest {
  private static final String KEY = "azure-key-0123456789abcdef";

  @Override
  protected Provider newProvider(URI baseUri) {
    return new OpenAiPresetFactories.Azure()
        .create(
            TestTransport.settings("azure-test", "azure")
                .baseUrl(baseUri.toString())
                .apiKey(KEY)
                .build());
  }

  /** Runs before the inherited teardown, so every request the scenario left unchecked is seen. */
  @AfterEach
  void everyRequest_wentToTheDeploymentWithApiKey() throws InterruptedException {
    while (upstream.pendingRequests() > 0) {
      assertAzureRequest(upstream.takeRequest(), OpenAiProviderFactory.AZURE_API_VERSION);
    }
  }

  @Test
  void chat_request_usesDeploymentPathApiVersionAndApiKeyHeader() throws Exception {
    upstream.enqueue(chatText());

    chat(request("hi").maxTokens(50).build());

    RecordedRequest sent = upstream.takeRequest();
    assertAzureRequest(sent, OpenAiProviderFactory.AZURE_API_VERSION);
    // Azure follows OpenAI's parameter rules.
    assertThat(sent.json().path("max_completion_tokens").asInt()).isEqualTo(50);
    assertThat(sent.json().has("max_tokens")).isFalse();
  }

  @Test
  void stream_request_usesDeploymentPathApiVersionAndApiKeyHeader() throws Exception {
    upstream.enqueue(streamText());

    EventCollector events = EventCollector.of(provider.stream(request("hi").build(), context()));

    assertThat(events.await()).isNull();
    RecordedRequest sent = upstream.takeRequest();
    assertAzureRequest(sent, OpenAiProviderFactory.AZURE_API_VERSION);
    assertThat(sent.json().path("stream_options").path("include_usage").asBoolean()).isTrue();
  }

  @Test
  void chat_apiVersionOption_sentAsQuery() throws Exception {
    provider.close();
    provider =
        new OpenAiPresetFactories.Azure()
            .create(
                TestTransport.settings("azure-test", "azure")
                    .baseUrl(upstream.baseUri().toString())
                    .apiKey(KEY)
                    .options(Map.of("api_version", "2025-04-01-preview"))
                    .build());
    upstream.enqueue(chatText());

    chat(request("hi").build());

    assertAzureRequest(upstream.takeRequest(), "2025-04-01-preview");
  }

  @Test
  void chat_deploymentNotFound_modelNotFound() {
    upstream.enqueue(
        Response.json(
            404,
            "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API deployment for this "
                + "resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.\"}}"));

    Throwable t = unwrap(catchThrowable(() -> chat(request("hi").build())));

    assertThat(t)
        .isInstanceOf(ProviderException.ModelNotFound.class)
        .hasMessageContaining("deployment");
  }

  @Test
  void stream_deploymentNotFound_modelNotFound() throws Exception {
    upstream.enqueue(
        Response.json(
            404,
            "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API deployment for this "
                + "resource does not exist.\"}}"));

    EventCollector events = EventCollector.of(provider.stream(request("hi").build(), context()));

    assertThat(events.await()).isInstanceOf(ProviderException.ModelNotFound.class);
  }

  /** Embeddings go to the deployment's own {@code embeddings} URL, with the same credential. */
  @Override
  protected void assertEmbedRequestSent(RecordedRequest request) {
    assertThat(request.path()).isEqualTo("/openai/deployments/embed-model/embeddings");
    assertThat(request.query()).startsWith("api-version=");
    assertThat(request.header("api-key")).isEqualTo(KEY);
    assertThat(request.json().path("input").get(1).asText()).isEqualTo("second text");
  }

  private void assertAzureRequest(RecordedRequest r, String apiVersion) {
    assertThat(r.path()).isEqualTo("/openai/deployments/" + model() + "/chat/completions");
    assertThat(r.query()).isEqualTo("api-version=" + apiVersion);
    assertThat(r.header("api-key")).isEqualTo(KEY);
    assertThat(r.header("authorization")).isNull();
  }
}
