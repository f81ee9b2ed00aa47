package dev.providergateway.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.EmbedRequest;
import dev.providergateway.provider.EmbedResponse;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.Usage;
import dev.providergateway.provider.http.EmbeddingVectors;
import dev.providergateway.provider.http.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The OpenAI embeddings wire ({@code POST {base}/embeddings}): the request body and the reading of
 * its answer. {@code encoding_format} is {@code base64} when the caller asked for bytes (a quarter
 * of the JSON size), else {@code float}; both are read into floats. {@code extra} entries (such as
 * {@code user}) are set last, except the ones the gateway owns. Stateless.
 */
final class OpenAiEmbeddings {
  private static final Set<String> RESERVED = Set.of("model", "input");

  private OpenAiEmbeddings() {}

  static ObjectNode requestBody(EmbedRequest r) {
    for (String key : r.extra().keySet()) {
      if (RESERVED.contains(key)) {
        throw InvalidRequestException.of(
            "extra." + key, "is set by the gateway and cannot be overridden");
      }
    }
    ObjectNode body = Json.object().put("model", r.model());
    ArrayNode input = body.putArray("input");
    r.inputs().forEach(input::add);
    if (r.dimensions() != null) {
      body.put("dimensions", r.dimensions());
    }
    body.put("encoding_format", r.base64() ? "base64" : "float");
    r.extra().forEach((k, v) -> body.set(k, Json.MAPPER.valueToTree(v)));
    return body;
  }

  /** The vectors of {@code json}, ordered by their {@code index}. */
  static EmbedResponse response(JsonNode json, Origin origin, int inputs) {
    JsonNode data = json.path("data");
    if (!data.isArray() || data.size() != inputs) {
      throw invalid(origin, "a data array of " + inputs + " embeddings");
    }
    float[][] vectors = new float[inputs][];
    for (JsonNode item : data) {
      int index = item.path("index").asInt(-1);
      if (index < 0 || index >= inputs || vectors[index] != null) {
        throw invalid(origin, "distinct data[].index values from 0 to " + (inputs - 1));
      }
      vectors[index] = vector(item.path("embedding"), origin);
    }
    JsonNode usage = json.path("usage");
    return new EmbedResponse(
        List.of(vectors),
        json.path("model").asText(origin.model()),
        Usage.of(usage.path("prompt_tokens").asInt(0), 0),
        Map.of());
  }

  private static float[] vector(JsonNode embedding, Origin origin) {
    if (embedding.isTextual()) {
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(embedding.asText());
      } catch (IllegalArgumentException e) {
        throw invalid(origin, "a base64 embedding");
      }
      if (bytes.length % 4 != 0) {
        throw invalid(origin, "a base64 embedding of float32 values");
      }
      FloatBuffer floats = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      float[] out = new float[floats.remaining()];
      floats.get(out);
      return out;
    }
    return EmbeddingVectors.floats(embedding, origin);
  }

  private static ProviderException invalid(Origin origin, String expected) {
    return new ProviderException.InvalidResponse(
        origin, origin.provider() + " sent an embeddings answer without " + expected, null);
  }
}
