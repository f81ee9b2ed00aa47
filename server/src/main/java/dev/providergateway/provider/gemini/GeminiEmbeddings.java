package dev.providergateway.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.EmbedRequest;
import dev.providergateway.provider.EmbedResponse;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.TokenCount;
import dev.providergateway.provider.Usage;
import dev.providergateway.provider.http.EmbeddingVectors;
import dev.providergateway.provider.http.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Gemini embedding and counting wires. Embeddings go to {@code
 * models/{model}:batchEmbedContents}: one {@code EmbedContentRequest} per input ({@code model},
 * {@code content.parts[0].text}, {@code outputDimensionality}, plus the {@code extra} entries such
 * as {@code taskType} or {@code title} on each), answered by {@code {"embeddings": [{"values":
 * [...]}]}} in input order. Token counts go to {@code models/{model}:countTokens} with the whole
 * {@code generateContentRequest}, so system text, tools and cached content are counted as a call
 * would send them; the answer's {@code totalTokens} is the count. Stateless.
 */
final class GeminiEmbeddings {
  private static final Set<String> RESERVED = Set.of("model", "content", "outputDimensionality");

  private GeminiEmbeddings() {}

  static ObjectNode requestBody(EmbedRequest r, String resource) {
    for (String key : r.extra().keySet()) {
      if (RESERVED.contains(key)) {
        throw InvalidRequestException.of(
            "extra." + key, "is set by the gateway and cannot be overridden");
      }
    }
    ObjectNode body = Json.object();
    ArrayNode requests = body.putArray("requests");
    for (String input : r.inputs()) {
      ObjectNode one = requests.addObject().put("model", resource);
      one.putObject("content").putArray("parts").addObject().put("text", input);
      if (r.dimensions() != null) {
        one.put("outputDimensionality", r.dimensions());
      }
      r.extra().forEach((k, v) -> one.set(k, Json.MAPPER.valueToTree(v)));
    }
    return body;
  }

  static EmbedResponse response(JsonNode json, Origin origin, int inputs) {
    JsonNode embeddings = json.path("embeddings");
    if (!embeddings.isArray() || embeddings.size() != inputs) {
      throw new ProviderException.InvalidResponse(
          origin,
          origin.provider() + " sent a batchEmbedContents answer without " + inputs + " embeddings",
          null);
    }
    List<float[]> vectors = new ArrayList<>(inputs);
    for (JsonNode e : embeddings) {
      vectors.add(EmbeddingVectors.floats(e.path("values"), origin));
    }
    // The Gemini API reports no token usage for embeddings; Vertex-style proxies may.
    int prompt = json.path("usageMetadata").path("promptTokenCount").asInt(0);
    return new EmbedResponse(vectors, origin.model(), Usage.of(prompt, 0), Map.of());
  }

  /** The {@code countTokens} body around the {@code generateContent} body of the same request. */
  static ObjectNode countBody(ObjectNode generateContent, String resource) {
    ObjectNode inner = Json.object().put("model", resource);
    inner.setAll(generateContent);
    ObjectNode body = Json.object();
    body.set("generateContentRequest", inner);
    return body;
  }

  static TokenCount count(JsonNode json, Origin origin) {
    JsonNode total = json.path("totalTokens");
    if (!total.canConvertToInt() || total.asInt() < 0) {
      throw new ProviderException.InvalidResponse(
          origin, origin.provider() + " sent a countTokens answer without totalTokens", null);
    }
    return new TokenCount(total.asInt(), false);
  }
}
