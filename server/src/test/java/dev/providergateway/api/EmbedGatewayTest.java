package dev.providergateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.ErrorInfo;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.testing.Requests;
import dev.providergateway.testing.Statuses;
import dev.providergateway.testing.TestGateway;
import dev.providergateway.v1.EmbedRequest;
import dev.providergateway.v1.EmbedResponse;
import dev.providergateway.v1.EmbeddingEncoding;
import dev.providergateway.v1.ListProvidersRequest;
import dev.providergateway.v1.ProviderInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Embed} end to end: gRPC in, through the gateway's dispatcher (routes, breakers, limits),
 * to fake upstreams speaking the OpenAI {@code /embeddings}, Gemini {@code :batchEmbedContents} and
 * Ollama {@code /api/embed} wire formats, request bodies asserted field by field.
 */
class EmbedGatewayTest {
  private final FakeUpstream openai = FakeUpstream.start();
  private final FakeUpstream gemini = FakeUpstream.start();
  private final FakeUpstream ollama = FakeUpstream.start();
  private final FakeUpstream anthropic = FakeUpstream.start();
  private final TestGateway gateway =
      new TestGateway(
          ConfigLoader.parse(
              """
      providers:
        - name: oai
          type: openai
          base_url: %s/v1
          api_key: sk-gateway-test-0123456789
          default_model: gpt-4o-mini
          breaker: {failure_threshold: 2, open_duration: 30s}
        - name: mistral
          type: mistral
          base_url: %s/v1
          api_key: mistral-test-key-0123456789
        - name: gem
          type: gemini
          base_url: %s
          api_key: AIzaSyGatewayTestKey0000
          default_model: gemini-2.5-flash
        - name: local
          type: ollama
          base_url: %s
          default_model: qwen3:8b
        - name: claude
          type: anthropic
          base_url: %s
          api_key: sk-ant-test-key-123456
      routes:
        vectors:
          targets:
            - {provider: oai, model: text-embedding-3-small}
            - {provider: local, model: nomic-embed-text}
      """
                  .formatted(
                      openai.baseUri(),
                      openai.baseUri(),
                      gemini.baseUri(),
                      ollama.baseUri(),
                      anthropic.baseUri()),
              Map.of()));

  @AfterEach
  void close() throws InterruptedException {
    gateway.close();
    openai.close();
    gemini.close();
    ollama.close();
    anthropic.close();
  }

  private static String openAiAnswer(String model, String first, String second) {
    return """
        {"object":"list","data":[
          {"object":"embedding","index":1,"embedding":%s},
          {"object":"embedding","index":0,"embedding":%s}],
         "model":"%s","usage":{"prompt_tokens":8,"total_tokens":8}}
        """
        .formatted(second, first, model);
  }

  @Test
  void embed_openAi_floatsInInputOrderWithUsageAndBodyFieldByField() throws Exception {
    openai.enqueue(
        Response.json(
            200, openAiAnswer("text-embedding-3-small", "[0.1,0.2,0.3]", "[0.4,0.5,0.6]")));

    EmbedResponse response =
        gateway
            .blocking()
            .embed(
                EmbedRequest.newBuilder()
                    .setProvider("oai")
                    .setModel("text-embedding-3-small")
                    .addInputs("The food was delicious")
                    .addInputs("and the waiter...")
                    .setDimensions(3)
                    .setExtra(Requests.extra("user", "user-1234"))
                    .build());

    assertThat(response.getProvider()).isEqualTo("oai");
    assertThat(response.getModel()).isEqualTo("text-embedding-3-small");
    assertThat(response.getEmbeddingsList()).hasSize(2);
    assertThat(response.getEmbeddings(0).getIndex()).isZero();
    assertThat(response.getEmbeddings(0).getValuesList()).containsExactly(0.1f, 0.2f, 0.3f);
    assertThat(response.getEmbeddings(1).getValuesList()).containsExactly(0.4f, 0.5f, 0.6f);
    assertThat(response.getEmbeddings(0).getData().isEmpty()).isTrue();
    assertThat(response.getUsage().getPromptTokens()).isEqualTo(8);
    assertThat(response.getUsage().getTotalTokens()).isEqualTo(8);

    var sent = openai.takeRequest();
    assertThat(sent.method()).isEqualTo("POST");
    assertThat(sent.path()).isEqualTo("/v1/embeddings");
    assertThat(sent.header("authorization")).isEqualTo("Bearer sk-gateway-test-0123456789");
    var body = sent.json();
    assertThat(body.path("model").asText()).isEqualTo("text-embedding-3-small");
    assertThat(body.path("input")).hasSize(2);
    assertThat(body.path("input").get(0).asText()).isEqualTo("The food was delicious");
    assertThat(body.path("input").get(1).asText()).isEqualTo("and the waiter...");
    assertThat(body.path("dimensions").asInt()).isEqualTo(3);
    assertThat(body.path("encoding_format").asText()).isEqualTo("float");
    assertThat(body.path("user").asText()).isEqualTo("user-1234");
    assertThat(body.size()).isEqualTo(5);
  }

  @Test
  void embed_base64Encoding_asksUpstreamForBase64AndReturnsLittleEndianBytes() throws Exception {
    ByteBuffer first = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    first.putFloat(1.5f).putFloat(-2.25f);
    String b64 = Base64.getEncoder().encodeToString(first.array());
    openai.enqueue(
        Response.json(
            200,
            """
            {"object":"list","data":[{"object":"embedding","index":0,"embedding":"%s"}],
             "model":"text-embedding-3-large","usage":{"prompt_tokens":3,"total_tokens":3}}
            """
                .formatted(b64)));

    EmbedResponse response =
        gateway
            .blocking()
            .embed(
                EmbedRequest.newBuilder()
                    .setModel("oai/text-embedding-3-large")
                    .addInputs("hello")
                    .setEncoding(EmbeddingEncoding.EMBEDDING_ENCODING_BASE64)
                    .build());

    assertThat(openai.takeRequest().json().path("encoding_format").asText()).isEqualTo("base64");
    assertThat(response.getEmbeddings(0).getValuesList()).isEmpty();
    ByteBuffer data =
        response.getEmbeddings(0).getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    assertThat(data.remaining()).isEqualTo(8);
    assertThat(data.getFloat()).isEqualTo(1.5f);
    assertThat(data.getFloat()).isEqualTo(-2.25f);
  }

  @Test
  void embed_openAiPreset_servedByTheSameWire() throws Exception {
    openai.enqueue(Response.json(200, openAiAnswer("mistral-embed", "[1]", "[2]")));

    EmbedResponse response =
        gateway
            .blocking()
            .embed(
                EmbedRequest.newBuilder()
                    .setProvider("mistral")
                    .setModel("mistral-embed")
                    .addInputs("a")
                    .addInputs("b")
                    .build());

    assertThat(response.getProvider()).isEqualTo("mistral");
    assertThat(response.getEmbeddings(1).getValuesList()).containsExactly(2f);
    var sent = openai.takeRequest();
    assertThat(sent.path()).isEqualTo("/v1/embeddings");
    assertThat(sent.header("authorization")).isEqualTo("Bearer mistral-test-key-0123456789");
  }

  @Test
  void embed_gemini_batchEmbedContentsOneRequestPerInput() throws Exception {
    gemini.enqueue(
        Response.json(200, "{\"embeddings\":[{\"values\":[0.25,-0.5]},{\"values\":[0.75,1.0]}]}"));

    EmbedResponse response =
        gateway
            .blocking()
            .embed(
                EmbedRequest.newBuilder()
                    .setProvider("gem")
                    .setModel("gemini-embedding-001")
                    .addInputs("What is the meaning of life?")
                    .addInputs("How much wood would a woodchuck chuck?")
                    .setDimensions(2)
                    .setExtra(Requests.extra("taskType", "RETRIEVAL_DOCUMENT"))
                    .build());

    assertThat(response.getEmbeddings(0).getValuesList()).containsExactly(0.25f, -0.5f);
    assertThat(response.getEmbeddings(1).getValuesList()).containsExactly(0.75f, 1.0f);
    assertThat(response.getModel()).isEqualTo("gemini-embedding-001");
    var sent = gemini.takeRequest();
    assertThat(sent.path()).isEqualTo("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    assertThat(sent.header("x-goog-api-key")).isEqualTo("AIzaSyGatewayTestKey0000");
    var requests = sent.json().path("requests");
    assertThat(requests).hasSize(2);
    for (int i = 0; i < 2; i++) {
      var one = requests.get(i);
      assertThat(one.path("model").asText()).isEqualTo("models/gemini-embedding-001");
      assertThat(one.path("outputDimensionality").asInt()).isEqualTo(2);
      assertThat(one.path("taskType").asText()).isEqualTo("RETRIEVAL_DOCUMENT");
      assertThat(one.path("content").path("parts")).hasSize(1);
    }
    assertThat(requests.get(0).path("content").path("parts").get(0).path("text").asText())
        .isEqualTo("What is the meaning of life?");
    assertThat(requests.get(1).path("content").path("parts").get(0).path("text").asText())
        .isEqualTo("How much wood would a woodchuck chuck?");
  }

  @Test
  void embed_ollama_apiEmbedWithPromptEvalCountAsUsage() throws Exception {
    ollama.enqueue(
        Response.json(
            200,
            """
            {"model":"all-minilm","embeddings":[[0.010071029,-0.0017594862],[-0.0098027,0.00636]],
             "total_duration":14143917,"load_duration":1019500,"prompt_eval_count":8}
            """));

    EmbedResponse response =
        gateway
            .blocking()
            .embed(
                EmbedRequest.newBuilder()
                    .setProvider("local")
                    .setModel("all-minilm")
                    .addInputs("Why is the sky blue?")
                    .addInputs("Why is the grass green?")
                    .build());

    assertThat(response.getEmbeddings(0).getValuesList())
        .containsExactly(0.010071029f, -0.0017594862f);
    assertThat(response.getUsage().getPromptTokens()).isEqualTo(8);
    var sent = ollama.takeRequest();
    assertThat(sent.path()).isEqualTo("/api/embed");
    assertThat(sent.json().path("model").asText()).isEqualTo("all-minilm");
    assertThat(sent.json().path("input").get(0).asText()).isEqualTo("Why is the sky blue?");
    assertThat(sent.json().path("input").get(1).asText()).isEqualTo("Why is the grass green?");
    assertThat(sent.json().has("dimensions")).isFalse();
  }

  @Test
  void embed_routeAlias_failsOverToTheNextTargetBeforeAnyOutput() throws Exception {
    openai.enqueue(
        Response.json(503, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}"));
    ollama.enqueue(
        Response.json(
            200,
            "{\"model\":\"nomic-embed-text\",\"embeddings\":[[0.5]],\"prompt_eval_count\":2}"));

    EmbedResponse response =
        gateway
            .blocking()
            .embed(EmbedRequest.newBuilder().setModel("vectors").addInputs("x").build());

    assertThat(response.getProvider()).isEqualTo("local");
    assertThat(response.getEmbeddings(0).getValuesList()).containsExactly(0.5f);
    assertThat(response.getMetadataMap()).containsEntry("attempts", "2");
    assertThat(openai.takeRequest().json().path("model").asText())
        .isEqualTo("text-embedding-3-small");
    assertThat(ollama.takeRequest().json().path("model").asText()).isEqualTo("nomic-embed-text");
  }

  @Test
  void embed_upstreamFailures_openTheProvidersBreaker() {
    for (int i = 0; i < 2; i++) {
      openai.enqueue(Response.json(500, "{\"error\":{\"message\":\"boom\"}}"));
      var failure =
          embedFailure(EmbedRequest.newBuilder().setProvider("oai").setModel("e").addInputs("x"));
      assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    var open =
        embedFailure(EmbedRequest.newBuilder().setProvider("oai").setModel("e").addInputs("x"));

    assertThat(Statuses.errorInfo(Statuses.of(open)).getReason()).isEqualTo("CIRCUIT_OPEN");
    assertThat(openai.requestCount()).isEqualTo(2);
  }

  @Test
  void embed_providerWithoutEmbeddings_invalidArgumentNamingIt() {
    var failure =
        embedFailure(EmbedRequest.newBuilder().setProvider("claude").setModel("x").addInputs("x"));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(failure.getStatus().getDescription()).contains("claude").contains("no embeddings");
    assertThat(anthropic.requestCount()).isZero();
  }

  @Test
  void embed_badRequests_invalidArgumentNamingTheField() {
    assertThat(
            Statuses.violatedFields(
                Statuses.of(
                    embedFailure(EmbedRequest.newBuilder().setProvider("oai").setModel("m")))))
        .startsWith("inputs");
    assertThat(
            Statuses.violatedFields(
                Statuses.of(
                    embedFailure(
                        EmbedRequest.newBuilder().setProvider("oai").setModel("m").addInputs("")))))
        .startsWith("inputs[0]");
    assertThat(
            Statuses.violatedFields(
                Statuses.of(
                    embedFailure(EmbedRequest.newBuilder().setProvider("oai").addInputs("x")))))
        .startsWith("model");
    assertThat(
            Statuses.violatedFields(
                Statuses.of(
                    embedFailure(
                        EmbedRequest.newBuilder()
                            .setProvider("oai")
                            .setModel("m")
                            .addInputs("x")
                            .setDimensions(0)))))
        .startsWith("dimensions");
    var tooMany = EmbedRequest.newBuilder().setProvider("oai").setModel("m");
    for (int i = 0; i <= EmbedRequests.MAX_INPUTS; i++) {
      tooMany.addInputs("x");
    }
    assertThat(embedFailure(tooMany).getStatus().getDescription()).contains("2049 entries");
    assertThat(openai.requestCount()).isZero();
  }

  @Test
  void embed_malformedUpstreamAnswer_invalidResponseNotInternalGatewayError() {
    openai.enqueue(Response.json(200, "{\"object\":\"list\",\"data\":[]}"));

    var failure =
        embedFailure(EmbedRequest.newBuilder().setProvider("oai").setModel("m").addInputs("x"));

    ErrorInfo info = Statuses.errorInfo(Statuses.of(failure));
    assertThat(info.getReason()).isEqualTo("PROVIDER_INVALID_RESPONSE");
    assertThat(failure.getStatus().getDescription()).contains("1 embeddings");
  }

  @Test
  void listProviders_embeddingsCapability_trueForTheWiresThatServeThem() {
    var providers =
        gateway
            .blocking()
            .listProviders(ListProvidersRequest.getDefaultInstance())
            .getProvidersList();

    assertThat(providers)
        .filteredOn(p -> p.getCapabilities().getEmbeddings())
        .extracting(ProviderInfo::getName)
        .containsExactlyInAnyOrder("oai", "mistral", "gem", "local", "echo");
  }

  private StatusRuntimeException embedFailure(EmbedRequest.Builder request) {
    return catchThrowableOfType(
        StatusRuntimeException.class, () -> gateway.blocking().embed(request.build()));
  }
}
