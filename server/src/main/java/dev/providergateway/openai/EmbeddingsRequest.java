package dev.providergateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.InvalidRequestException.FieldViolation;
import dev.providergateway.v1.EmbedRequest;
import dev.providergateway.v1.EmbeddingEncoding;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of {@code POST /v1/embeddings}, in OpenAI's shape, read into the gRPC door's {@link
 * EmbedRequest} so that both doors validate it with the same rules ({@code EmbedRequests}). Read
 * here: {@code model} (string), {@code input} (a string or an array of strings; arrays of token ids
 * are refused), {@code dimensions} (integer), {@code encoding_format} ({@code float}, the default,
 * or {@code base64}), {@code user} (the {@code user} tag) and the gateway's own {@code extra}
 * (object). A value of the wrong type is a violation naming the field; unknown fields are ignored.
 *
 * @param request the mapped request
 * @param base64 whether the caller asked for {@code encoding_format: base64}
 */
record EmbeddingsRequest(EmbedRequest request, boolean base64) {

  static EmbeddingsRequest parse(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw InvalidRequestException.of("body", "must be a JSON object");
    }
    List<FieldViolation> v = new ArrayList<>();
    EmbedRequest.Builder b = EmbedRequest.newBuilder();
    JsonNode model = body.get("model");
    if (model != null && !model.isNull()) {
      if (model.isTextual()) {
        b.setModel(model.textValue());
      } else {
        v.add(new FieldViolation("model", "must be a string, got " + JsonFields.type(model)));
      }
    }
    input(body.get("input"), b, v);
    JsonNode dimensions = body.get("dimensions");
    if (dimensions != null && !dimensions.isNull()) {
      if (!dimensions.isIntegralNumber() || !dimensions.canConvertToInt()) {
        v.add(
            new FieldViolation(
                "dimensions", "must be an integer, got " + JsonFields.type(dimensions)));
      } else {
        b.setDimensions(dimensions.intValue());
      }
    }
    boolean base64 = false;
    JsonNode format = body.get("encoding_format");
    if (format != null && !format.isNull()) {
      if (!format.isTextual()) {
        v.add(
            new FieldViolation(
                "encoding_format", "must be a string, got " + JsonFields.type(format)));
      } else if (format.textValue().equals("base64")) {
        base64 = true;
      } else if (!format.textValue().equals("float")) {
        v.add(
            new FieldViolation(
                "encoding_format", "must be \"float\" or \"base64\", got another string"));
      }
    }
    b.setEncoding(
        base64
            ? EmbeddingEncoding.EMBEDDING_ENCODING_BASE64
            : EmbeddingEncoding.EMBEDDING_ENCODING_FLOAT);
    JsonNode user = body.get(ChatCompletionRequest.USER_TAG);
    if (user != null && !user.isNull()) {
      if (!user.isTextual()) {
        v.add(
            new FieldViolation(
                ChatCompletionRequest.USER_TAG, "must be a string, got " + JsonFields.type(user)));
      } else if (!user.textValue().isEmpty()) {
        b.putTags(ChatCompletionRequest.USER_TAG, user.textValue());
      }
    }
    JsonNode extra = body.get("extra");
    if (extra != null && !extra.isNull()) {
      if (!extra.isObject()) {
        v.add(new FieldViolation("extra", "must be an object, got " + JsonFields.type(extra)));
      } else {
        b.setExtra(JsonFields.struct(extra));
      }
    }
    if (!v.isEmpty()) {
      throw new InvalidRequestException(v);
    }
    return new EmbeddingsRequest(b.build(), base64);
  }

  private static void input(JsonNode input, EmbedRequest.Builder b, List<FieldViolation> v) {
    if (input == null || input.isNull()) {
      v.add(new FieldViolation("input", "is required: a string or an array of strings"));
      return;
    }
    if (input.isTextual()) {
      b.addInputs(input.textValue());
      return;
    }
    if (!input.isArray()) {
      v.add(
          new FieldViolation(
              "input", "must be a string or an array of strings, got " + JsonFields.type(input)));
      return;
    }
    for (int i = 0; i < input.size(); i++) {
      JsonNode item = input.get(i);
      if (item.isTextual()) {
        b.addInputs(item.textValue());
      } else if (item.isNumber() || item.isArray()) {
        v.add(
            new FieldViolation(
                "input",
                "arrays of token ids are not supported here; send the text as a string or an"
                    + " array of strings"));
        return;
      } else {
        v.add(
            new FieldViolation(
                "input[" + i + "]", "must be a string, got " + JsonFields.type(item)));
      }
    }
  }

  /**
   * {@code e} with the gRPC request's field names ({@code inputs}, {@code encoding}, {@code tags})
   * turned into the OpenAI body's ({@code input}, {@code encoding_format}, {@code user}), so a
   * refusal from the shared validation names the field the HTTP caller sent.
   */
  static InvalidRequestException renamed(InvalidRequestException e) {
    List<FieldViolation> out = new ArrayList<>(e.violations().size());
    for (FieldViolation f : e.violations()) {
      String field = f.field();
      if (field.equals("inputs") || field.startsWith("inputs[")) {
        field = "input" + field.substring("inputs".length());
      } else if (field.equals("encoding")) {
        field = "encoding_format";
      } else if (field.equals("tags")) {
        field = ChatCompletionRequest.USER_TAG;
      }
      out.add(new FieldViolation(field, f.description()));
    }
    return new InvalidRequestException(out);
  }
}
