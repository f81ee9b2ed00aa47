package dev.providergateway.provider.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;

/** Reads embedding vectors from upstream JSON, for every provider that serves embeddings. */
public final class EmbeddingVectors {
  private EmbeddingVectors() {}

  /**
   * A JSON array of numbers as floats; throws {@link ProviderException.InvalidResponse} for
   * anything else.
   */
  public static float[] floats(JsonNode array, Origin origin) {
    if (!array.isArray()) {
      throw invalid(origin);
    }
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode n = array.get(i);
      if (!n.isNumber()) {
        throw invalid(origin);
      }
      out[i] = n.floatValue();
    }
    return out;
  }

  private static ProviderException invalid(Origin origin) {
    return new ProviderException.InvalidResponse(
        origin, origin.provider() + " sent an embedding that is not an array of numbers", null);
  }
}
