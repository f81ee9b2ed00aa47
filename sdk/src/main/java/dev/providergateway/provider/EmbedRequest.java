package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * The arguments of one {@code embed()} call, already validated and resolved by the gateway: {@code
 * model} is the concrete model id for the provider that receives it.
 *
 * @param model the embedding model id
 * @param inputs the texts to embed, at least one, each non-empty
 * @param dimensions the vector size asked for, or null for the model's default
 * @param base64 true when the caller wants the vectors as bytes; providers that can (OpenAI) then
 *     ask their upstream for the compact base64 encoding. The response carries floats either way.
 * @param extra provider-specific parameters, passed through as they are (top-level nulls dropped)
 * @param tags labels for logs and metrics, never sent upstream
 */
public record EmbedRequest(
    String model,
    List<String> inputs,
    Integer dimensions,
    boolean base64,
    Map<String, Object> extra,
    Map<String, String> tags) {

  public EmbedRequest {
    requireNonNull(model, "model");
    inputs = List.copyOf(inputs);
    extra = ChatRequest.builder(model).extra(extra).build().extra();
    tags = Map.copyOf(tags);
  }

  /** This request for {@code value} instead of its own model. */
  public EmbedRequest withModel(String value) {
    return new EmbedRequest(value, inputs, dimensions, base64, extra, tags);
  }
}
