package dev.providergateway.openai;

import static dev.providergateway.openai.JsonFields.bool;
import static dev.providergateway.openai.JsonFields.bounded;
import static dev.providergateway.openai.JsonFields.string;
import static dev.providergateway.openai.JsonFields.struct;
import static dev.providergateway.openai.JsonFields.type;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.providergateway.provider.InvalidRequestException.FieldViolation;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.ResponseFormat;
import dev.providergateway.v1.ToolChoice;
import dev.providergateway.v1.ToolDefinition;
import java.util.List;

/**
 * Reads the tool and output-shape fields of a Chat Completions body: {@code tools}, {@code
 * tool_choice} and {@code response_format}. Each wrong type is added to the caller's violations by
 * its path; stateless.
 */
final class ChatTools {
  private ChatTools() {}

  static void tools(JsonNode tools, ChatRequest.Builder b, List<FieldViolation> v) {
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

  static void toolChoice(JsonNode choice, ChatRequest.Builder b, List<FieldViolation> v) {
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

  static void responseFormat(JsonNode format, ChatRequest.Builder b, List<FieldViolation> v) {
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
}
