package dev.providergateway.openai;

import static dev.providergateway.openai.ChatMessages.message;
import static dev.providergateway.openai.ChatTools.responseFormat;
import static dev.providergateway.openai.ChatTools.toolChoice;
import static dev.providergateway.openai.ChatTools.tools;
import static dev.providergateway.openai.JsonFields.bool;
import static dev.providergateway.openai.JsonFields.integer;
import static dev.providergateway.openai.JsonFields.number;
import static dev.providergateway.openai.JsonFields.string;
import static dev.providergateway.openai.JsonFields.struct;
import static dev.providergateway.openai.JsonFields.type;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.InvalidRequestException.FieldViolation;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an OpenAI Chat Completions request body into the gateway's {@code ChatRequest}, which then
 * goes through the same validation as a gRPC request. Every field of the wrong JSON type is
 * reported by its path ({@code messages[1].content}, {@code temperature}), all at once, as {@link
 * InvalidRequestException}. Fields OpenAI defines that no provider here takes ({@code
 * frequency_penalty}, {@code logprobs}, ...) and unknown fields are ignored, as OpenAI ignores
 * unknown fields; an {@code extra} object is passed to the provider as the request's {@code extra}.
 *
 * @param request the mapped request
 * @param stream whether the caller asked for SSE
 * @param includeUsage whether {@code stream_options.include_usage} asked for a usage chunk
 */
record ChatCompletionRequest(ChatRequest request, boolean stream, boolean includeUsage) {

  /** The user's id in {@code user} goes to the request tags under this key. */
  static final String USER_TAG = "user";

  static ChatCompletionRequest parse(JsonNode body) {
    List<FieldViolation> v = new ArrayList<>();
    if (body == null || !body.isObject()) {
      throw InvalidRequestException.of("body", "must be a JSON object");
    }
    ChatRequest.Builder b = ChatRequest.newBuilder();
    String model = string(body, "model", v);
    if (model != null) {
      b.setModel(model);
    }
    JsonNode messages = body.get("messages");
    if (messages == null || messages.isNull()) {
      v.add(new FieldViolation("messages", "is required: a non-empty array of messages"));
    } else if (!messages.isArray()) {
      v.add(new FieldViolation("messages", "must be an array, got " + type(messages)));
    } else {
      for (int i = 0; i < messages.size(); i++) {
        Message m = message(messages.get(i), "messages[" + i + "]", v);
        if (m != null) {
          b.addMessages(m);
        }
      }
    }
    Double temperature = number(body, "temperature", v);
    if (temperature != null) {
      b.setTemperature(temperature.floatValue());
    }
    Double topP = number(body, "top_p", v);
    if (topP != null) {
      b.setTopP(topP.floatValue());
    }
    Long maxCompletion = integer(body, "max_completion_tokens", v);
    Long maxTokens = integer(body, "max_tokens", v);
    Long max = maxCompletion != null ? maxCompletion : maxTokens;
    if (max != null) {
      if (max < 1 || max > Integer.MAX_VALUE) {
        v.add(
            new FieldViolation(
                maxCompletion != null ? "max_completion_tokens" : "max_tokens",
                "must be between 1 and " + Integer.MAX_VALUE + ", got " + max));
      } else {
        b.setMaxTokens(max.intValue());
      }
    }
    Long seed = integer(body, "seed", v);
    if (seed != null) {
      b.setSeed(seed);
    }
    stop(body.get("stop"), b, v);
    String effort = string(body, "reasoning_effort", v);
    if (effort != null) {
      b.setReasoningEffort(effort);
    }
    String user = string(body, USER_TAG, v);
    if (user != null && !user.isEmpty()) {
      b.putTags(USER_TAG, user);
    }
    Long n = integer(body, "n", v);
    if (n != null && n != 1) {
      v.add(new FieldViolation("n", "only 1 choice per request is supported, got " + n));
    }
    tools(body.get("tools"), b, v);
    toolChoice(body.get("tool_choice"), b, v);
    bool(body, "parallel_tool_calls", v);
    responseFormat(body.get("response_format"), b, v);
    JsonNode extra = body.get("extra");
    if (extra != null && !extra.isNull()) {
      if (!extra.isObject()) {
        v.add(new FieldViolation("extra", "must be an object, got " + type(extra)));
      } else {
        b.setExtra(struct(extra));
      }
    }
    Boolean stream = bool(body, "stream", v);
    boolean includeUsage = false;
    JsonNode options = body.get("stream_options");
    if (options != null && !options.isNull()) {
      if (!options.isObject()) {
        v.add(new FieldViolation("stream_options", "must be an object, got " + type(options)));
      } else {
        Boolean usage = bool(options, "include_usage", "stream_options.include_usage", v);
        includeUsage = usage != null && usage;
      }
    }
    if (!v.isEmpty()) {
      throw new InvalidRequestException(v);
    }
    return new ChatCompletionRequest(b.build(), stream != null && stream, includeUsage);
  }

  private static void stop(JsonNode stop, ChatRequest.Builder b, List<FieldViolation> v) {
    if (stop == null || stop.isNull()) {
      return;
    }
    if (stop.isTextual()) {
      b.addStop(stop.textValue());
    } else if (stop.isArray()) {
      for (int i = 0; i < stop.size(); i++) {
        if (!stop.get(i).isTextual()) {
          v.add(
              new FieldViolation("stop[" + i + "]", "must be a string, got " + type(stop.get(i))));
        } else {
          b.addStop(stop.get(i).textValue());
        }
      }
    } else {
      v.add(
          new FieldViolation("stop", "must be a string or an array of strings, got " + type(stop)));
    }
  }
}
