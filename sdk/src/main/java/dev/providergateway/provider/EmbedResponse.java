package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * The result of one {@code embed()} call.
 *
 * @param vectors one vector per input, in input order; the arrays are not copied, and nobody may
 *     change them after construction
 * @param model the model that answered, as the provider reported it
 * @param usage the input tokens ({@code promptTokens}); {@link Usage#ZERO} when not reported
 * @param metadata extra facts about the call
 */
public record EmbedResponse(
    List<float[]> vectors, String model, Usage usage, Map<String, String> metadata) {

  public EmbedResponse {
    vectors = List.copyOf(vectors);
    requireNonNull(model, "model");
    requireNonNull(usage, "usage");
    metadata = Map.copyOf(metadata);
  }

  /** This response with {@code value} instead of its own metadata. */
  public EmbedResponse withMetadata(Map<String, String> value) {
    return new EmbedResponse(vectors, model, usage, value);
  }
}
