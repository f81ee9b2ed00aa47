package dev.providergateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.InvalidRequestException.FieldViolation;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.Image;
import dev.providergateway.v1.Message;
import dev.providergateway.v1.ResponseFormat;
import dev.providergateway.v1.ToolCall;
import dev.providergateway.v1.ToolChoice;
import dev.providergateway.v1.ToolDefinition;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

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

  private static Message message(JsonNode m, String path, List<FieldViolation> v) {
    if (!m.isObject()) {
      v.add(new FieldViolation(path, "must be an object, got " + type(m)));
      return null;
    }
    Message.Builder b = Message.newBuilder();
    String role = string(m, "role", path + ".role", v);
    if (role == null) {
      v.add(new FieldViolation(path + ".role", "is required"));
    } else {
      b.setRole(role);
    }
    JsonNode content = m.get("content");
    if (content == null || content.isNull()) {
      // An assistant message with only tool calls has null content.
    } else if (content.isTextual()) {
      b.setContent(content.textValue());
    } else if (content.isArray()) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < content.size(); i++) {
        contentPart(content.get(i), path + ".content[" + i + "]", b, text, v);
      }
      b.setContent(text.toString());
    } else {
      v.add(
          new FieldViolation(
              path + ".content", "must be a string or an array of parts, got " + type(content)));
    }
    String name = string(m, "name", path + ".name", v);
    if (name != null) {
      b.setName(name);
    }
    String toolCallId = string(m, "tool_call_id", path + ".tool_call_id", v);
    if (toolCallId != null) {
      b.setToolCallId(toolCallId);
    }
    JsonNode calls = m.get("tool_calls");
    if (calls != null && !calls.isNull()) {
      if (!calls.isArray()) {
        v.add(new FieldViolation(path + ".tool_calls", "must be an array, got " + type(calls)));
      } else {
        for (int i = 0; i < calls.size(); i++) {
          String at = path + ".tool_calls[" + i + "]";
          JsonNode call = calls.get(i);
          if (!call.isObject()) {
            v.add(new FieldViolation(at, "must be an object, got " + type(call)));
            continue;
          }
          ToolCall.Builder c = ToolCall.newBuilder();
          String id = string(call, "id", at + ".id", v);
          if (id != null) {
            c.setId(id);
          }
          JsonNode fn = call.get("function");
          if (fn == null || !fn.isObject()) {
            v.add(
                new FieldViolation(at + ".function", "must be an object with name and arguments"));
            continue;
          }
          String fnName = string(fn, "name", at + ".function.name", v);
          if (fnName != null) {
            c.setName(fnName);
          }
          String args = string(fn, "arguments", at + ".function.arguments", v);
          c.setArguments(args == null || args.isBlank() ? "{}" : args);
          b.addToolCalls(c);
        }
      }
    }
    return b.build();
  }

  private static void contentPart(
      JsonNode part, String path, Message.Builder b, StringBuilder text, List<FieldViolation> v) {
    if (!part.isObject()) {
      v.add(new FieldViolation(path, "must be an object, got " + type(part)));
      return;
    }
    String type = string(part, "type", path + ".type", v);
    if ("text".equals(type)) {
      String t = string(part, "text", path + ".text", v);
      if (t != null) {
        text.append(t);
      }
    } else if ("image_url".equals(type)) {
      JsonNode image = part.get("image_url");
      String url = null;
      if (image != null && image.isTextual()) {
        url = image.textValue();
      } else if (image != null && image.isObject()) {
        url = string(image, "url", path + ".image_url.url", v);
      } else {
        v.add(new FieldViolation(path + ".image_url", "must be an object with a url"));
      }
      if (url != null) {
        b.addImages(Image.newBuilder().setUrl(url));
      }
    } else if (type != null) {
      v.add(
          new FieldViolation(
              path + ".type",
              "'" + bounded(type) + "' is not supported: expected text or image_url"));
    } else {
      v.add(new FieldViolation(path + ".type", "is required"));
    }
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

  private static void tools(JsonNode tools, ChatRequest.Builder b, List<FieldViolation> v) {
    if (tools == null || tools.isNull()) {
      return;
    }
    if (!tools.isArray()) {
      v.add(new FieldViolation("tools", "must be an array, got " + type(tools)));
      return;
    }
    for (int i = 0; i < tools.size(); i++) {
      String at = "tools[" + i + "]";
      JsonNode tool = tools.get(i);
      if (!tool.isObject()) {
        v.add(new FieldViolation(at, "must be an object, got " + type(tool)));
        continue;
      }
      String type = string(tool, "type", at + ".type", v);
      if (type != null && !type.equals("function")) {
        v.add(new FieldViolation(at + ".type", "only 'function' tools are supported"));
        continue;
      }
      JsonNode fn = tool.get("function");
      if (fn == null || !fn.isObject()) {
        v.add(new FieldViolation(at + ".function", "is required: an object with a name"));
        continue;
      }
      ToolDefinition.Builder t = ToolDefinition.newBuilder();
      String name = string(fn, "name", at + ".function.name", v);
      if (name == null) {
        v.add(new FieldViolation(at + ".function.name", "is required"));
        continue;
      }
      t.setName(name);
      String description = string(fn, "description", at + ".function.description", v);
      // OpenAI makes the description optional; the gateway's contract requires one.
      t.setDescription(description == null || description.isBlank() ? name : description);
      JsonNode parameters = fn.get("parameters");
      if (parameters == null || parameters.isNull()) {
        t.setParameters(
            Struct.newBuilder()
                .putFields("type", Value.newBuilder().setStringValue("object").build())
                .putFields(
                    "properties", Value.newBuilder().setStructValue(Struct.newBuilder()).build()));
      } else if (!parameters.isObject()) {
        v.add(
            new FieldViolation(
                at + ".function.parameters",
                "must be a JSON Schema object, got " + type(parameters)));
      } else {
        t.setParameters(struct(parameters));
      }
      b.addTools(t);
    }
  }

  private static void toolChoice(JsonNode choice, ChatRequest.Builder b, List<FieldViolation> v) {
    if (choice == null || choice.isNull()) {
      return;
    }
    if (choice.isTextual()) {
      ToolChoice.Mode mode =
          switch (choice.textValue()) {
            case "auto" -> ToolChoice.Mode.MODE_AUTO;
            case "none" -> ToolChoice.Mode.MODE_NONE;
            case "required" -> ToolChoice.Mode.MODE_REQUIRED;
            default -> null;
          };
      if (mode == null) {
        v.add(
            new FieldViolation(
                "tool_choice",
                "'" + bounded(choice.textValue()) + "' is not one of auto, none, required"));
      } else {
        b.setToolChoice(ToolChoice.newBuilder().setMode(mode));
      }
      return;
    }
    if (choice.isObject()) {
      JsonNode fn = choice.get("function");
      String name =
          fn != null && fn.isObject() ? string(fn, "name", "tool_choice.function.name", v) : null;
      if (name == null) {
        v.add(
            new FieldViolation(
                "tool_choice.function.name", "is required when tool_choice is an object"));
      } else {
        b.setToolChoice(ToolChoice.newBuilder().setToolName(name));
      }
      return;
    }
    v.add(
        new FieldViolation(
            "tool_choice", "must be a string or an object naming a function, got " + type(choice)));
  }

  private static void responseFormat(
      JsonNode format, ChatRequest.Builder b, List<FieldViolation> v) {
    if (format == null || format.isNull()) {
      return;
    }
    if (!format.isObject()) {
      v.add(new FieldViolation("response_format", "must be an object, got " + type(format)));
      return;
    }
    String type = string(format, "type", "response_format.type", v);
    if (type == null) {
      v.add(new FieldViolation("response_format.type", "is required"));
      return;
    }
    switch (type) {
      case "text" ->
          b.setResponseFormat(
              ResponseFormat.newBuilder().setText(ResponseFormat.TextFormat.getDefaultInstance()));
      case "json_object" ->
          b.setResponseFormat(
              ResponseFormat.newBuilder()
                  .setJsonObject(ResponseFormat.JsonObjectFormat.getDefaultInstance()));
      case "json_schema" -> {
        JsonNode schema = format.get("json_schema");
        if (schema == null || !schema.isObject()) {
          v.add(
              new FieldViolation(
                  "response_format.json_schema", "is required: an object with name and schema"));
          return;
        }
        ResponseFormat.JsonSchemaFormat.Builder s = ResponseFormat.JsonSchemaFormat.newBuilder();
        String name = string(schema, "name", "response_format.json_schema.name", v);
        if (name != null) {
          s.setName(name);
        }
        JsonNode body = schema.get("schema");
        if (body != null && body.isObject()) {
          s.setSchema(struct(body));
        } else if (body != null && !body.isNull()) {
          v.add(
              new FieldViolation(
                  "response_format.json_schema.schema", "must be an object, got " + type(body)));
        }
        Boolean strict = bool(schema, "strict", "response_format.json_schema.strict", v);
        s.setStrict(strict != null && strict);
        b.setResponseFormat(ResponseFormat.newBuilder().setJsonSchema(s));
      }
      default ->
          v.add(
              new FieldViolation(
                  "response_format.type",
                  "'" + bounded(type) + "' is not one of text, json_object, json_schema"));
    }
  }

  // ---- typed field readers: null when absent or JSON null; a violation when of the wrong type.

  private static String string(JsonNode node, String field, List<FieldViolation> v) {
    return string(node, field, field, v);
  }

  private static String string(JsonNode node, String field, String path, List<FieldViolation> v) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      v.add(new FieldViolation(path, "must be a string, got " + type(value)));
      return null;
    }
    return value.textValue();
  }

  private static Double number(JsonNode node, String field, List<FieldViolation> v) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isNumber()) {
      v.add(new FieldViolation(field, "must be a number, got " + type(value)));
      return null;
    }
    return value.doubleValue();
  }

  private static Long integer(JsonNode node, String field, List<FieldViolation> v) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      v.add(new FieldViolation(field, "must be an integer, got " + type(value)));
      return null;
    }
    return value.longValue();
  }

  private static Boolean bool(JsonNode node, String field, List<FieldViolation> v) {
    return bool(node, field, field, v);
  }

  private static Boolean bool(JsonNode node, String field, String path, List<FieldViolation> v) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isBoolean()) {
      v.add(new FieldViolation(path, "must be a boolean, got " + type(value)));
      return null;
    }
    return value.booleanValue();
  }

  /** The JSON type name of {@code node}, for messages. */
  static String type(JsonNode node) {
    return switch (node.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NULL -> "null";
      default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String bounded(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }

  static Struct struct(JsonNode object) {
    Struct.Builder s = Struct.newBuilder();
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      s.putFields(e.getKey(), value(e.getValue()));
    }
    return s.build();
  }

  private static Value value(JsonNode node) {
    return switch (node.getNodeType()) {
      case OBJECT -> Value.newBuilder().setStructValue(struct(node)).build();
      case ARRAY -> {
        ListValue.Builder list = ListValue.newBuilder();
        node.forEach(n -> list.addValues(value(n)));
        yield Value.newBuilder().setListValue(list).build();
      }
      case STRING -> Value.newBuilder().setStringValue(node.textValue()).build();
      case NUMBER -> Value.newBuilder().setNumberValue(node.doubleValue()).build();
      case BOOLEAN -> Value.newBuilder().setBoolValue(node.booleanValue()).build();
      default -> Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    };
  }
}
