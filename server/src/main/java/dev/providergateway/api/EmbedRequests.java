package dev.providergateway.api;

import com.google.protobuf.ByteString;
import dev.providergateway.config.LimitsConfig;
import dev.providergateway.dispatch.Dispatcher;
import dev.providergateway.provider.EmbedRequest;
import dev.providergateway.provider.EmbedResponse;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.InvalidRequestException.FieldViolation;
import dev.providergateway.v1.EmbeddingEncoding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Validates {@code Embed} requests and maps them between proto and domain. Bounds: at most {@link
 * #MAX_INPUTS} inputs, each non-empty; the whole request within {@code max_request_bytes};
 * identifiers and tags as for {@code Chat}.
 */
final class EmbedRequests {
  /** The most inputs one call may embed (OpenAI's own batch limit is 2048). */
  static final int MAX_INPUTS = 2048;

  private static final int MAX_DIMENSIONS = 65_536;
  private static final int MAX_TAGS = 16;

  private final LimitsConfig limits;

  EmbedRequests(LimitsConfig limits) {
    this.limits = limits;
  }

  /** Throws {@link InvalidRequestException} listing every violation; returns when valid. */
  void validate(dev.providergateway.v1.EmbedRequest r) {
    List<FieldViolation> v = new ArrayList<>();
    int size = r.getSerializedSize();
    if (size > limits.maxRequestBytes()) {
      throw InvalidRequestException.of(
          "request", "is " + size + " bytes; the limit is " + limits.maxRequestBytes());
    }
    length("provider", r.getProvider(), v);
    length("model", r.getModel(), v);
    if (r.getModel().isEmpty()) {
      v.add(
          new FieldViolation(
              "model", "is required: an embedding model id, a route alias or provider/model"));
    }
    if (r.getInputsCount() == 0 || r.getInputsCount() > MAX_INPUTS) {
      v.add(
          new FieldViolation(
              "inputs",
              "has " + r.getInputsCount() + " entries; 1 to " + MAX_INPUTS + " are allowed"));
    } else {
      for (int i = 0; i < r.getInputsCount(); i++) {
        if (r.getInputs(i).isEmpty()) {
          v.add(new FieldViolation("inputs[" + i + "]", "must not be empty"));
        }
      }
    }
    if (r.hasDimensions() && (r.getDimensions() < 1 || r.getDimensions() > MAX_DIMENSIONS)) {
      v.add(
          new FieldViolation(
              "dimensions", "is " + r.getDimensions() + "; 1 to " + MAX_DIMENSIONS + " allowed"));
    }
    if (r.getEncoding() == EmbeddingEncoding.UNRECOGNIZED) {
      v.add(new FieldViolation("encoding", "is not a known EmbeddingEncoding value"));
    }
    if (r.getTagsCount() > MAX_TAGS) {
      v.add(
          new FieldViolation(
              "tags", "has " + r.getTagsCount() + " entries; the limit is " + MAX_TAGS));
    }
    r.getTagsMap()
        .forEach(
            (key, value) -> {
              if (key.isEmpty() || key.length() > 64 || value.length() > 256) {
                v.add(
                    new FieldViolation(
                        "tags", "keys must be 1 to 64 characters and values at most 256"));
              }
            });
    if (!v.isEmpty()) {
      throw new InvalidRequestException(v);
    }
  }

  static EmbedRequest toDomain(dev.providergateway.v1.EmbedRequest r) {
    return new EmbedRequest(
        r.getModel(),
        r.getInputsList(),
        r.hasDimensions() ? r.getDimensions() : null,
        r.getEncoding() == EmbeddingEncoding.EMBEDDING_ENCODING_BASE64,
        r.hasExtra() ? StructValues.toMap(r.getExtra()) : Map.of(),
        r.getTagsMap());
  }

  static dev.providergateway.v1.EmbedResponse toProto(
      Dispatcher.Answer<EmbedResponse> answer, EmbeddingEncoding encoding) {
    EmbedResponse r = answer.value();
    var b =
        dev.providergateway.v1.EmbedResponse.newBuilder()
            .setModel(r.model())
            .setProvider(answer.provider())
            .setUsage(ProtoMapper.toProto(r.usage()))
            .putAllMetadata(r.metadata());
    boolean bytes = encoding == EmbeddingEncoding.EMBEDDING_ENCODING_BASE64;
    for (int i = 0; i < r.vectors().size(); i++) {
      float[] vector = r.vectors().get(i);
      var e = b.addEmbeddingsBuilder().setIndex(i);
      if (bytes) {
        ByteBuffer buf = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(vector);
        e.setData(ByteString.copyFrom(buf.array()));
      } else {
        for (float f : vector) {
          e.addValues(f);
        }
      }
    }
    return b.build();
  }

  private static void length(String field, String value, List<FieldViolation> v) {
    if (value.length() > RequestValidator.MAX_IDENTIFIER) {
      v.add(
          new FieldViolation(
              field,
              "is "
                  + value.length()
                  + " characters long; the limit is "
                  + RequestValidator.MAX_IDENTIFIER));
    }
  }
}
