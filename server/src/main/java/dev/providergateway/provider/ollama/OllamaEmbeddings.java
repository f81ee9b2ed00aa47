package dev.providergateway.provider.ollama;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ollama's embeddings wire ({@code POST /api/embed}): {@code {"model", "input": [...],
 * "dimensions"}} answered by {@code {"model", "embeddings": [[...], ...], "prompt_eval_count"}}.
 * {@code extra} entries (such as {@code truncate}, {@code keep_alive} or {@code options}) are set
 * last, except the ones the gateway owns. Ollama has no base64 encoding: floats come back either
 * way. Stateless.
 */
final class OllamaEmbeddings {
  private static final Set<String> RESERVED = Set.of("model", "input");

  private OllamaEmbeddings() {}

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
    r.extra().forEach((k, v) -> body.set(k, Json.MAPPER.valueToTree(v)));
    return body;
  }

  static EmbedResponse response(JsonNode json, Origin origin, int inputs) {
    JsonNode embeddings = json.path("embeddings");
    if (!embeddings.isArray() || embeddings.size() != inputs) {
      throw new ProviderException.InvalidResponse(
          origin,
          origin.provider() + " sent an /api/embed answer without " + inputs + " embeddings",
          null);
    }
    List<float[]> vectors = new ArrayList<>(inputs);
    for (JsonNode e : embeddings) {
      vectors.add(EmbeddingVectors.floats(e, origin));
    }
    return new EmbedResponse(
        vectors,
        json.path("model").asText(origin.model()),
        Usage.of(json.path("prompt_eval_count").asInt(0), 0),
        Map.of());
  }
}
