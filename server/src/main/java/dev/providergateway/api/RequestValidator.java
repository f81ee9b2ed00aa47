package dev.providergateway.api;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.providergateway.config.LimitsConfig;
import dev.providergateway.provider.ErrorText;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.InvalidRequestException.FieldViolation;
import dev.providergateway.provider.Role;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.Image;
import dev.providergateway.v1.Message;
import dev.providergateway.v1.ToolCall;
import dev.providergateway.v1.ToolChoice;
import dev.providergateway.v1.ToolDefinition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a {@link ChatRequest} before anything is dispatched and reports every problem at once,
 * each as a field violation whose path uses the proto field names (for example {@code
 * messages[2].tool_call_id}), so a caller can fix its request in one round trip.
 */
final class RequestValidator {
  static final Pattern TOOL_NAME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9_-]{0,63}$");
  private static final Set<String> MIME_TYPES =
      Set.of("image/png", "image/jpeg", "image/gif", "image/webp");
  private static final int MAX_STOP = 16;
  private static final int MAX_TAGS = 16;
  private static final int MAX_OUTPUT_TOKENS = 1_000_000;

  /**
   * The longest identifier a request may carry (provider, model, reasoning effort, message names,
   * tool call ids): far above any real one, and small enough that logs, traces and error messages
   * that name it stay small.
   */
  static final int MAX_IDENTIFIER = 256;

  private final LimitsConfig limits;

  RequestValidator(LimitsConfig limits) {
    this.limits = limits;
  }

  /** Throws {@link InvalidRequestException} listing every violation; returns when valid. */
  void validate(ChatRequest request) {
    List<FieldViolation> v = new ArrayList<>();
    int size = request.getSerializedSize();
    if (size > limits.maxRequestBytes()) {
      v.add(
          new FieldViolation(
              "request", "is " + size + " bytes; the limit is " + limits.maxRequestBytes()));
      throw new InvalidRequestException(v);
    }
    checkIdentifiers(request, v);
    checkMessages(request.getMessagesList(), v);
    Set<String> toolNames = checkTools(request.getToolsList(), v);
    checkToolChoice(request, toolNames, v);
    checkSampling(request, v);
    if (request.getCheckSchema() && !request.getResponseFormat().hasJsonSchema()) {
      v.add(
          new FieldViolation(
              "check_schema", "needs a response_format.json_schema to check the answer against"));
    }
    if (!v.isEmpty()) {
      throw new InvalidRequestException(v);
    }
  }

  private void checkMessages(List<Message> messages, List<FieldViolation> v) {
    if (messages.isEmpty()) {
      v.add(new FieldViolation("messages", "must contain at least one message"));
      return;
    }
    if (messages.size() > limits.maxMessages()) {
      v.add(
          new FieldViolation(
              "messages",
              "has " + messages.size() + " messages; the limit is " + limits.maxMessages()));
      return;
    }
    Set<String> callIds = new HashSet<>();
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      String path = "messages[" + i + "]";
      Role role = Role.fromWireName(m.getRole()).orElse(null);
      if (role == null) {
        v.add(
            new FieldViolation(
                path + ".role",
                "unknown role "
                    + ErrorText.quote(m.getRole())
                    + "; expected one of system, developer, user, assistant, tool, function"));
        continue;
      }
      if (m.getToolCallsCount() > 0 && role != Role.ASSISTANT) {
        v.add(new FieldViolation(path + ".tool_calls", "only assistant messages carry tool calls"));
      }
      for (int j = 0; j < m.getToolCallsCount(); j++) {
        checkToolCall(m.getToolCalls(j), path + ".tool_calls[" + j + "]", callIds, v);
      }
      if (role == Role.TOOL) {
        if (m.getToolCallId().isEmpty()) {
          v.add(new FieldViolation(path + ".tool_call_id", "is required when role is tool"));
        } else if (!callIds.contains(m.getToolCallId())) {
          v.add(
              new FieldViolation(
                  path + ".tool_call_id",
                  "tool result "
                      + path
                      + " has no tool call: its id "
                      + ErrorText.quote(m.getToolCallId())
                      + " matches no tool call of an earlier assistant message"
                      + knownIds(callIds)));
        }
      } else if (!m.getToolCallId().isEmpty()) {
        v.add(new FieldViolation(path + ".tool_call_id", "is only valid when role is tool"));
      }
      if (m.getReasoningCount() > 0 && role != Role.ASSISTANT) {
        v.add(
            new FieldViolation(
                path + ".reasoning", "only assistant messages carry reasoning blocks"));
      }
      if (m.getImagesCount() > 0 && role != Role.USER) {
        v.add(new FieldViolation(path + ".images", "only user messages carry images"));
      }
      for (int j = 0; j < m.getImagesCount(); j++) {
        checkImage(m.getImages(j), path + ".images[" + j + "]", v);
      }
    }
  }

  private static void checkToolCall(
      ToolCall call, String path, Set<String> callIds, List<FieldViolation> v) {
    if (call.getId().isEmpty()) {
      v.add(
          new FieldViolation(
              path + ".id",
              "is required: the tool result answering this call repeats it in tool_call_id"));
    } else {
      callIds.add(call.getId());
    }
    if (!TOOL_NAME.matcher(call.getName()).matches()) {
      v.add(
          new FieldViolation(
              path + ".name", ErrorText.quote(call.getName()) + " is not a valid tool name"));
    }
  }

  private static String knownIds(Set<String> callIds) {
    if (callIds.isEmpty()) {
      return " (there are none)";
    }
    // Bounded: a request may carry thousands of calls, the message names a few of them.
    List<String> shown = callIds.stream().sorted().limit(5).map(ErrorText::quote).toList();
    return " (known ids: "
        + String.join(", ", shown)
        + (callIds.size() > shown.size() ? ", ..." : "")
        + ")";
  }

  private static void checkImage(Image image, String path, List<FieldViolation> v) {
    switch (image.getSourceCase()) {
      case DATA -> {
        if (image.getData().isEmpty()) {
          v.add(new FieldViolation(path + ".data", "must not be empty"));
        }
        if (!MIME_TYPES.contains(image.getMimeType())) {
          v.add(
              new FieldViolation(
                  path + ".mime_type",
                  ErrorText.quote(image.getMimeType())
                      + " is not supported; expected one of image/png, image/jpeg, image/gif, image/webp"));
        }
      }
      case URL -> {
        String url = image.getUrl();
        if (!(url.startsWith("https://")
            || url.startsWith("http://")
            || url.startsWith("data:image/"))) {
          v.add(new FieldViolation(path + ".url", "must be an http(s) URL or a data:image/ URL"));
        }
      }
      default -> v.add(new FieldViolation(path, "must set data or url"));
    }
  }

  private Set<String> checkTools(List<ToolDefinition> tools, List<FieldViolation> v) {
    Set<String> names = new HashSet<>();
    if (tools.size() > limits.maxTools()) {
      v.add(
          new FieldViolation(
              "tools", "has " + tools.size() + " tools; the limit is " + limits.maxTools()));
      return names;
    }
    for (int i = 0; i < tools.size(); i++) {
      ToolDefinition tool = tools.get(i);
      String path = "tools[" + i + "]";
      if (!TOOL_NAME.matcher(tool.getName()).matches()) {
        v.add(
            new FieldViolation(
                path + ".name",
                ErrorText.quote(tool.getName())
                    + " must be 1 to 64 characters matching ^[a-zA-Z][a-zA-Z0-9_-]*$"));
      } else if (!names.add(tool.getName())) {
        v.add(
            new FieldViolation(
                path + ".name", "duplicate tool name " + ErrorText.quote(tool.getName())));
      }
      if (tool.getDescription().isBlank()) {
        v.add(new FieldViolation(path + ".description", "is required"));
      }
      checkSchema(tool.hasParameters() ? tool.getParameters() : null, path + ".parameters", v);
    }
    return names;
  }

  /** A tool schema must be an object schema whose {@code required} names its properties. */
  private static void checkSchema(Struct schema, String path, List<FieldViolation> v) {
    if (schema == null) {
      v.add(
          new FieldViolation(
              path, "is required: a JSON Schema object such as {\"type\":\"object\"}"));
      return;
    }
    Value type = schema.getFieldsOrDefault("type", null);
    if (type == null || !"object".equals(type.getStringValue())) {
      v.add(new FieldViolation(path + ".type", "must be \"object\""));
    }
    Value properties = schema.getFieldsOrDefault("properties", null);
    if (properties != null && !properties.hasStructValue()) {
      v.add(new FieldViolation(path + ".properties", "must be an object"));
    }
    Value required = schema.getFieldsOrDefault("required", null);
    if (required == null) {
      return;
    }
    if (!required.hasListValue()) {
      v.add(new FieldViolation(path + ".required", "must be a list of property names"));
      return;
    }
    Set<String> known =
        properties != null && properties.hasStructValue()
            ? properties.getStructValue().getFieldsMap().keySet()
            : Set.of();
    ListValue list = required.getListValue();
    for (int i = 0; i < list.getValuesCount(); i++) {
      Value name = list.getValues(i);
      if (!name.hasStringValue() || !known.contains(name.getStringValue())) {
        v.add(new FieldViolation(path + ".required[" + i + "]", "names no property in properties"));
      }
    }
  }

  private static void checkToolChoice(
      ChatRequest request, Set<String> toolNames, List<FieldViolation> v) {
    if (!request.hasToolChoice()) {
      return;
    }
    ToolChoice choice = request.getToolChoice();
    if (choice.getChoiceCase() == ToolChoice.ChoiceCase.TOOL_NAME) {
      if (!toolNames.contains(choice.getToolName())) {
        v.add(
            new FieldViolation(
                "tool_choice.tool_name",
                ErrorText.quote(choice.getToolName()) + " is not one of the request's tools"));
      }
    } else if (choice.getMode() == ToolChoice.Mode.MODE_REQUIRED && request.getToolsCount() == 0) {
      v.add(new FieldViolation("tool_choice.mode", "MODE_REQUIRED needs at least one tool"));
    } else if (choice.getMode() == ToolChoice.Mode.UNRECOGNIZED) {
      v.add(new FieldViolation("tool_choice.mode", "unknown mode " + choice.getModeValue()));
    }
  }

  private static void checkSampling(ChatRequest r, List<FieldViolation> v) {
    if (r.hasTemperature() && !(r.getTemperature() >= 0.0 && r.getTemperature() <= 2.0)) {
      v.add(
          new FieldViolation(
              "temperature", "must be between 0.0 and 2.0, was " + r.getTemperature()));
    }
    if (r.hasMaxTokens() && (r.getMaxTokens() < 1 || r.getMaxTokens() > MAX_OUTPUT_TOKENS)) {
      v.add(
          new FieldViolation(
              "max_tokens",
              "must be between 1 and " + MAX_OUTPUT_TOKENS + ", was " + r.getMaxTokens()));
    }
    if (r.hasTopP() && !(r.getTopP() > 0.0 && r.getTopP() <= 1.0)) {
      v.add(
          new FieldViolation(
              "top_p", "must be greater than 0.0 and at most 1.0, was " + r.getTopP()));
    }
    if (r.getStopCount() > MAX_STOP) {
      v.add(
          new FieldViolation(
              "stop", "has " + r.getStopCount() + " sequences; the limit is " + MAX_STOP));
    }
    for (int i = 0; i < r.getStopCount(); i++) {
      if (r.getStop(i).isEmpty()) {
        v.add(new FieldViolation("stop[" + i + "]", "must not be empty"));
      }
    }
    if (r.hasResponseFormat() && r.getResponseFormat().hasJsonSchema()) {
      var schema = r.getResponseFormat().getJsonSchema();
      if (!schema.getName().matches("^[a-zA-Z0-9_-]{1,64}$")) {
        v.add(
            new FieldViolation(
                "response_format.json_schema.name", "must be 1 to 64 characters of [a-zA-Z0-9_-]"));
      }
      if (!schema.hasSchema()) {
        v.add(new FieldViolation("response_format.json_schema.schema", "is required"));
      }
    }
    if (r.getTagsCount() > MAX_TAGS) {
      v.add(
          new FieldViolation(
              "tags", "has " + r.getTagsCount() + " entries; the limit is " + MAX_TAGS));
    }
    r.getTagsMap()
        .forEach(
            (key, value) -> {
              if (key.isEmpty() || key.length() > 64) {
                v.add(
                    new FieldViolation(
                        "tags", "key " + ErrorText.quote(key) + " must be 1 to 64 characters"));
              }
              if (value.length() > 256) {
                v.add(new FieldViolation("tags[" + key + "]", "must be at most 256 characters"));
              }
            });
  }

  /** Identifiers are bounded in length; the violation gives the length, not the value. */
  private void checkIdentifiers(ChatRequest r, List<FieldViolation> v) {
    checkLength("provider", r.getProvider(), v);
    checkLength("model", r.getModel(), v);
    checkLength("reasoning_effort", r.getReasoningEffort(), v);
    checkLength("prompt_cache_key", r.getPromptCacheKey(), v);
    checkLength("cached_content", r.getCachedContent(), v);
    if (r.getMessagesCount() > limits.maxMessages()) {
      return;
    }
    for (int i = 0; i < r.getMessagesCount(); i++) {
      Message m = r.getMessages(i);
      String path = "messages[" + i + "]";
      checkLength(path + ".name", m.getName(), v);
      checkLength(path + ".tool_call_id", m.getToolCallId(), v);
      for (int j = 0; j < m.getToolCallsCount(); j++) {
        checkLength(path + ".tool_calls[" + j + "].id", m.getToolCalls(j).getId(), v);
      }
    }
  }

  private static void checkLength(String field, String value, List<FieldViolation> v) {
    if (value.length() > MAX_IDENTIFIER) {
      v.add(
          new FieldViolation(
              field, "is " + value.length() + " characters long; the limit is " + MAX_IDENTIFIER));
    }
  }
}
