package dev.providergateway.openai;

import static dev.providergateway.openai.JsonFields.bounded;
import static dev.providergateway.openai.JsonFields.string;
import static dev.providergateway.openai.JsonFields.type;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.InvalidRequestException.FieldViolation;
import dev.providergateway.v1.Image;
import dev.providergateway.v1.Message;
import dev.providergateway.v1.ToolCall;
import java.util.List;

/**
 * Reads the {@code messages} of a Chat Completions body: roles, text and {@code image_url} parts,
 * assistant {@code tool_calls} and {@code tool} results. Each wrong type is added to the caller's
 * violations by its path ({@code messages[1].content}); stateless.
 */
final class ChatMessages {
  private ChatMessages() {}

  static Message message(JsonNode m, String path, List<FieldViolation> v) {
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

  static void contentPart(
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
}
