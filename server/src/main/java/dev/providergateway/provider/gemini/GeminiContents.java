package dev.providergateway.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.ErrorText;
import dev.providergateway.provider.Image;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.ReasoningBlock;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.http.Json;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns the conversation into Gemini's {@code contents} and {@code systemInstruction} parts.
 *
 * <ul>
 *   <li>System and developer messages, wherever they are, become {@code systemInstruction} parts.
 *   <li>User messages become {@code user} turns with {@code text}, {@code inlineData} (inline
 *       images and {@code data:} URLs) and {@code fileData} (other URLs) parts.
 *   <li>Assistant messages become {@code model} turns: thought parts for reasoning blocks with
 *       text, the text, then one {@code functionCall} part per tool call. Each thought signature
 *       goes back on the part it came from: a call's signature on its {@code functionCall} part, a
 *       signed thought on its thought part, and a signature that came on a text part (a reasoning
 *       block with empty text) on the text part. Gemini rejects empty text parts, so a text
 *       signature on a message without text is not sent; Gemini does not require those back.
 *   <li>Tool results become {@code user} turns with a {@code functionResponse} named after the
 *       assistant call with the same id; output that is not a JSON object is wrapped as {@code
 *       {"result": ...}}.
 *   <li>Consecutive turns of the same role are merged, so the results of parallel calls travel
 *       together in one turn, as Gemini expects.
 * </ul>
 *
 * <p>Call ids are sent back ({@code functionCall.id}, {@code functionResponse.id}) only when they
 * are not ids the gateway made up ({@code call_0}, {@code call_1}, ...), so ids that Gemini itself
 * issued round-trip and invented ones never reach it.
 */
record GeminiContents(ArrayNode contents, ArrayNode system) {
  private static final Pattern GENERATED_ID = Pattern.compile("^call_\\d+$");
  private static final Pattern DATA_URL =
      Pattern.compile("^data:([^;,]+)?(;[^,]*)?;base64,(.*)$", Pattern.DOTALL);

  static GeminiContents of(List<Message> messages) {
    GeminiContents out =
        new GeminiContents(Json.MAPPER.createArrayNode(), Json.MAPPER.createArrayNode());
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      switch (m.role()) {
        case SYSTEM, DEVELOPER -> {
          if (!m.content().isEmpty()) {
            out.system.addObject().put("text", m.content());
          }
        }
        case USER -> out.append("user", userParts(m, "messages[" + i + "]"));
        case ASSISTANT -> out.append("model", modelParts(m));
        case TOOL, FUNCTION -> out.append("user", List.of(functionResponse(messages, i)));
      }
    }
    return out;
  }

  /** True when {@code id} is one the gateway generated rather than one Gemini sent. */
  static boolean generatedId(String id) {
    return id.isEmpty() || GENERATED_ID.matcher(id).matches();
  }

  private void append(String role, List<ObjectNode> parts) {
    if (parts.isEmpty()) {
      return;
    }
    JsonNode last = contents.isEmpty() ? null : contents.get(contents.size() - 1);
    ArrayNode target =
        last != null && last.path("role").asText().equals(role)
            ? (ArrayNode) last.get("parts")
            : contents.addObject().put("role", role).putArray("parts");
    target.addAll(parts);
  }

  private static List<ObjectNode> userParts(Message m, String path) {
    List<ObjectNode> parts = new ArrayList<>();
    if (!m.content().isEmpty()) {
      parts.add(Json.object().put("text", m.content()));
    }
    for (int j = 0; j < m.images().size(); j++) {
      parts.add(image(m.images().get(j), path + ".images[" + j + "]"));
    }
    return parts;
  }

  private static ObjectNode image(Image image, String path) {
    ObjectNode part = Json.object();
    if (image instanceof Image.Inline in) {
      part.putObject("inlineData")
          .put("mimeType", in.mimeType())
          .put("data", Base64.getEncoder().encodeToString(in.data()));
      return part;
    }
    Image.Url url = (Image.Url) image;
    if (url.url().startsWith("data:")) {
      var m = DATA_URL.matcher(url.url());
      if (!m.matches() || m.group(1) == null) {
        throw InvalidRequestException.of(
            path + ".url", "a data: URL needs a media type and base64 data");
      }
      part.putObject("inlineData").put("mimeType", m.group(1)).put("data", m.group(3));
      return part;
    }
    ObjectNode file = part.putObject("fileData");
    if (!url.mimeType().isEmpty()) {
      file.put("mimeType", url.mimeType());
    }
    file.put("fileUri", url.url());
    return part;
  }

  private static List<ObjectNode> modelParts(Message m) {
    List<ObjectNode> parts = new ArrayList<>();
    String textSignature = "";
    for (ReasoningBlock block : m.reasoning()) {
      if (block.redacted()) {
        continue; // Gemini never redacts; such blocks come from another provider.
      }
      if (block.text().isEmpty()) {
        textSignature = block.signature();
      } else {
        ObjectNode thought = Json.object().put("text", block.text()).put("thought", true);
        signed(thought, block.signature());
        parts.add(thought);
      }
    }
    if (!m.content().isEmpty()) {
      parts.add(signed(Json.object().put("text", m.content()), textSignature));
    }
    for (ToolCall call : m.toolCalls()) {
      ObjectNode part = Json.object();
      ObjectNode fn = part.putObject("functionCall");
      if (!generatedId(call.id())) {
        fn.put("id", call.id());
      }
      JsonNode args = Json.tryParse(call.arguments());
      fn.put("name", call.name())
          .set("args", args != null && args.isObject() ? args : Json.object());
      parts.add(signed(part, call.signature()));
    }
    return parts;
  }

  private static ObjectNode signed(ObjectNode part, String signature) {
    if (!signature.isEmpty()) {
      part.put("thoughtSignature", signature);
    }
    return part;
  }

  private static ObjectNode functionResponse(List<Message> messages, int index) {
    Message m = messages.get(index);
    String id = m.toolCallId();
    String name = callName(messages, index, id);
    if (name.isEmpty()) {
      name = m.name();
    }
    if (name.isEmpty()) {
      throw InvalidRequestException.of(
          "messages[" + index + "]." + (m.role() == Role.TOOL ? "tool_call_id" : "name"),
          "Gemini needs the name of the function answered; no earlier assistant tool call has id "
              + ErrorText.quote(id));
    }
    ObjectNode fn = Json.object();
    if (!generatedId(id)) {
      fn.put("id", id);
    }
    fn.put("name", name).set("response", response(m.content()));
    ObjectNode part = Json.object();
    part.set("functionResponse", fn);
    return part;
  }

  /**
   * The name of the call {@code id} answered. Gemini pairs a response with its call by name; the
   * latest call with this id is the one answered (generated ids repeat from one response to the
   * next).
   */
  private static String callName(List<Message> messages, int index, String id) {
    for (int i = index - 1; i >= 0 && !id.isEmpty(); i--) {
      for (ToolCall call : messages.get(i).toolCalls()) {
        if (call.id().equals(id)) {
          return call.name();
        }
      }
    }
    return "";
  }

  private static JsonNode response(String content) {
    JsonNode parsed = content.isBlank() ? null : Json.tryParse(content);
    if (parsed != null && parsed.isObject()) {
      return parsed;
    }
    ObjectNode wrapped = Json.object();
    if (parsed != null && !parsed.isMissingNode()) {
      wrapped.set("result", parsed);
    } else {
      wrapped.put("result", content);
    }
    return wrapped;
  }
}
