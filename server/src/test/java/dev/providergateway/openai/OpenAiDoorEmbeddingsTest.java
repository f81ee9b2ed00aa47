package dev.providergateway.openai;

import static dev.providergateway.openai.DoorFixture.JSON;
import static dev.providergateway.openai.DoorFixture.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.testing.FakeUpstream;
import dev.providergateway.provider.testing.FakeUpstream.RecordedRequest;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/embeddings} on the OpenAI-compatible door end to end: the real gateway, real
 * HTTP, and a fake OpenAI upstream answering in OpenAI's embeddings shape (base64 when asked for
 * base64, as OpenAI does). Bad requests are refused with a 400 naming the field and never reach the
 * upstream.
 */
class OpenAiDoorEmbeddingsTest {
  private static final float[][] VECTORS = {{0.25f, -0.5f, 1.0f}, {0.125f, 0.75f, -2.0f}};

  private final DoorFixture door =
      new DoorFixture(
          r -> {
            JsonNode body = r.json();
            boolean base64 = body.path("encoding_format").asText().equals("base64");
            int n = body.path("input").size();
            StringBuilder data = new StringBuilder();
            for (int i = 0; i < n; i++) {
              data.append(i == 0 ? "" : ",")
                  .append("{\"object\":\"embedding\",\"index\":")
                  .append(i)
                  .append(",\"embedding\":")
                  .append(base64 ? "\"" + base64(VECTORS[i]) + "\"" : floats(VECTORS[i]))
                  .append('}');
            }
            return Response.json(
                200,
                "{\"object\":\"list\",\"data\":["
                    + data
                    + "],\"model\":\"text-embedding-3-small\","
                    + "\"usage\":{\"prompt_tokens\":7,\"total_tokens\":7}}");
          },
          """
      server: {host: 127.0.0.1, port: 0, shutdown_grace: 1s}
      limits: {max_request_bytes: 65536}
      providers:
        - name: up
          type: openai
          base_url: %s/v1
          api_key: k
          default_model: m
        - name: echo
          type: echo
      default_provider: up
      resilience: {max_retries: 0}
      auth:
        keys:
          - {id: tester, key_sha256: %s}
      """);
  private final FakeUpstream upstream = door.upstream;
  private final HttpClient http = door.http;

  @AfterEach
  void stop() {
    door.close();
  }

  @Test
  void floats_answerInOpenAiShape_andTheUpstreamGetsTheFields() throws Exception {
    HttpResponse<String> r =
        post(
            "{\"model\":\"up/text-embedding-3-small\",\"input\":[\"alpha\",\"beta\"],"
                + "\"dimensions\":3,\"user\":\"u-1\",\"unknown_field\":{\"x\":1}}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("object").asText()).isEqualTo("list");
    assertThat(body.path("model").asText()).isEqualTo("text-embedding-3-small");
    assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(7);
    assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(7);
    assertThat(body.path("data").size()).isEqualTo(2);
    for (int i = 0; i < 2; i++) {
      JsonNode item = body.path("data").get(i);
      assertThat(item.path("object").asText()).isEqualTo("embedding");
      assertThat(item.path("index").asInt()).isEqualTo(i);
      assertThat(item.path("embedding").isArray()).isTrue();
      for (int j = 0; j < 3; j++) {
        assertThat(item.path("embedding").get(j).floatValue()).isEqualTo(VECTORS[i][j]);
      }
    }
    assertThat(r.headers().firstValue("x-request-id")).isPresent();

    RecordedRequest sent = upstream.takeRequest();
    assertThat(sent.path()).isEqualTo("/v1/embeddings");
    JsonNode up = sent.json();
    assertThat(up.path("model").asText()).isEqualTo("text-embedding-3-small");
    assertThat(up.path("input").isArray()).isTrue();
    assertThat(up.path("input").get(0).asText()).isEqualTo("alpha");
    assertThat(up.path("input").get(1).asText()).isEqualTo("beta");
    assertThat(up.path("input").size()).isEqualTo(2);
    assertThat(up.path("dimensions").asInt()).isEqualTo(3);
    assertThat(up.path("encoding_format").asText()).isEqualTo("float");
    assertThat(up.has("unknown_field")).isFalse();
  }

  @Test
  void base64_isLittleEndianFloat32() throws Exception {
    HttpResponse<String> r =
        post(
            "{\"model\":\"text-embedding-3-small\",\"input\":\"alpha\","
                + "\"encoding_format\":\"base64\"}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    JsonNode item = body.at("/data/0");
    assertThat(item.path("embedding").isTextual()).isTrue();
    assertThat(decode(item.path("embedding").asText())).containsExactly(VECTORS[0]);
    JsonNode up = upstream.takeRequest().json();
    assertThat(up.path("model").asText()).isEqualTo("text-embedding-3-small");
    assertThat(up.path("input").get(0).asText()).isEqualTo("alpha");
    assertThat(up.has("dimensions")).isFalse();
    // The gateway asks its upstream for base64 too (a quarter of the JSON) and re-encodes.
    assertThat(up.path("encoding_format").asText()).isEqualTo("base64");
  }

  @Test
  void wrongTypes_are400NamingTheField_andNothingReachesTheUpstream() throws Exception {
    Map<String, String> cases =
        Map.of(
            "{\"model\":\"up/e\",\"input\":\"x\",\"dimensions\":\"many\"}", "dimensions",
            "{\"model\":\"up/e\",\"input\":42}", "input",
            "{\"model\":\"up/e\",\"input\":[[1,2,3]]}", "input",
            "{\"model\":\"up/e\",\"input\":[1,2,3]}", "input",
            "{\"model\":\"up/e\",\"input\":[]}", "input",
            "{\"model\":\"up/e\",\"input\":[\"\"]}", "input[0]",
            "{\"model\":7,\"input\":\"x\"}", "model",
            "{\"model\":\"up/e\",\"input\":\"x\",\"encoding_format\":\"int8\"}", "encoding_format",
            "{\"model\":\"up/e\",\"input\":\"x\",\"user\":5}", "user",
            "{\"input\":\"x\"}", "model");
    for (var c : cases.entrySet()) {
      HttpResponse<String> r = post(c.getKey());
      assertThat(r.statusCode()).as(c.getKey() + " -> " + r.body()).isEqualTo(400);
      JsonNode error = JSON.readTree(r.body()).path("error");
      assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.path("param").asText()).as(c.getKey()).isEqualTo(c.getValue());
    }
    assertThat(upstream.requestCount()).isZero();
  }

  @Test
  void unknownModel_is404() throws Exception {
    HttpResponse<String> r = post("{\"model\":\"nope/text-embedding-3-small\",\"input\":\"x\"}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
    JsonNode error = JSON.readTree(r.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("model_not_found");
    assertThat(error.path("message").asText()).contains("nope/text-embedding-3-small");
    assertThat(upstream.requestCount()).isZero();
  }

  @Test
  void missingKey_is401() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(uri("/v1/embeddings"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"up/e\",\"input\":\"x\"}"))
            .build();
    assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(401);
    assertThat(upstream.requestCount()).isZero();
  }

  @Test
  void echoProvider_embedsLocally_inBothEncodings() throws Exception {
    HttpResponse<String> floats =
        post("{\"model\":\"echo/echo-1\",\"input\":[\"one\",\"two\"],\"dimensions\":8}");
    assertThat(floats.statusCode()).as(floats.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(floats.body());
    assertThat(body.path("model").asText()).isEqualTo("echo-1");
    assertThat(body.path("data").size()).isEqualTo(2);
    assertThat(body.at("/data/1/index").asInt()).isEqualTo(1);
    JsonNode first = body.at("/data/0/embedding");
    assertThat(first.size()).isEqualTo(8);
    assertThat(body.at("/usage/prompt_tokens").asInt()).isPositive();

    HttpResponse<String> bytes =
        post(
            "{\"model\":\"echo/echo-1\",\"input\":[\"one\"],\"dimensions\":8,"
                + "\"encoding_format\":\"base64\"}");
    assertThat(bytes.statusCode()).as(bytes.body()).isEqualTo(200);
    float[] decoded = decode(JSON.readTree(bytes.body()).at("/data/0/embedding").asText());
    assertThat(decoded).hasSize(8);
    for (int j = 0; j < 8; j++) {
      assertThat(decoded[j]).isEqualTo(first.get(j).floatValue());
    }
    assertThat(upstream.requestCount()).isZero();
  }

  @Test
  void get_isMethodNotAllowed_andModelsIsUnchanged() throws Exception {
    HttpRequest get =
        HttpRequest.newBuilder(uri("/v1/embeddings"))
            .header("Authorization", "Bearer " + KEY)
            .GET()
            .build();
    HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("allow")).contains("POST");

    HttpRequest models =
        HttpRequest.newBuilder(uri("/v1/models"))
            .header("Authorization", "Bearer " + KEY)
            .GET()
            .build();
    HttpResponse<String> m = http.send(models, HttpResponse.BodyHandlers.ofString());
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(m.body()).path("object").asText()).isEqualTo("list");
  }

  // ---- helpers

  private URI uri(String path) {
    return door.uri(path);
  }

  private HttpResponse<String> post(String body) throws Exception {
    return door.post("/v1/embeddings", body);
  }

  private static String base64(float[] v) {
    ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(v);
    return Base64.getEncoder().encodeToString(buf.array());
  }

  private static float[] decode(String b64) {
    var floats =
        ByteBuffer.wrap(Base64.getDecoder().decode(b64))
            .order(ByteOrder.LITTLE_ENDIAN)
            .asFloatBuffer();
    float[] out = new float[floats.remaining()];
    floats.get(out);
    return out;
  }

  private static String floats(float[] v) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      s.append(i == 0 ? "" : ",").append(v[i]);
    }
    return s.append(']').toString();
  }
}
