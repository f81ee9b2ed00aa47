package dev.providergateway.examples.chatlines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.ResponseFormat;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolArguments;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.Usage;
import dev.providergateway.provider.http.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Maps between the domain records and chat-lines JSON: the request body of {@code POST
 * /v1/generate}, and the non-streamed answer, whose {@code lines} are decoded by the same
 * {@link ChatLinesDecoder} as a stream. Stateless.
 *
 * <p>{@code extra} keys are passed through as top-level request fields, except the ones the
 * provider sets itself ({@value #RESERVED_DOC}), which are refused.
 */
final class ChatLinesMapper {
  static final String RESERVED_DOC = "model, stream, setup, prompt, toolbox and must_call";
  private static final Set<String> RESERVED = Set.of("model", "stream", "setup", "prompt", "toolbox", "must_call");

  private ChatLinesMapper() {}

  /** The request body; {@code notes} collects what chat-lines cannot honour as asked. */
  static ObjectNode requestBody(ChatRequest r, boolean stream, Map<String, String> notes) {
    ObjectNode body = Json.object().put("model", r.model()).put("stream", stream);
    StringBuilder setup = new StringBuilder();
    ArrayNode prompt = Json.MAPPER.createArrayNode();
    for (int i = 0; i < r.messages().size(); i++) {
      Message m = r.messages().get(i);
      if (!m.images().isEmpty()) {
        throw InvalidRequestException.of("messages[" + i + "].images", "chat-lines takes text only, no images");
      }
      switch (m.role()) {
        case SYSTEM, DEVELOPER -> setup.append(setup.length() == 0 ? "" : "\n\n").append(m.content());
        case USER -> prompt.addObject().put("from", "human").put("text", m.content());
        case ASSISTANT -> {
          ObjectNode turn = prompt.addObject().put("from", "model").put("text", m.content());
          if (!m.toolCalls().isEmpty()) {
            turn.set("calls", ChatLinesTools.calls(m.toolCalls()));
          }
        }
        case TOOL, FUNCTION -> prompt.addObject().put("from", "result").put("ref", m.toolCallId()).put("text", m.content());
      }
    }
    if (setup.length() > 0) {
      body.put("setup", setup.toString());
    }
    body.set("prompt", prompt);
    ChatLinesTools.addTools(r, body, notes);
    if (r.temperature() != null) {
      body.put("heat", r.temperature());
    }
    if (r.topP() != null) {
      body.put("nucleus", r.topP());
    }
    if (r.maxTokens() != null) {
      body.put("limit", r.maxTokens());
    }
    if (r.seed() != null) {
      body.put("seed", r.seed());
    }
    if (!r.stop().isEmpty()) {
      ArrayNode halt = body.putArray("halt");
      r.stop().forEach(halt::add);
    }
    if (!(r.responseFormat() instanceof ResponseFormat.Text)) {
      notes.put("dropped.response_format", "chat-lines has no structured output mode");
    }
    if (!r.reasoningEffort().isEmpty()) {
      notes.put("dropped.reasoning_effort", "chat-lines models do not reason");
    }
    r.extra().forEach((key, value) -> {
      if (RESERVED.contains(key)) {
        throw InvalidRequestException.of("extra." + key, "is set by the gateway and cannot be overridden");
      }
      body.set(key, Json.MAPPER.valueToTree(value));
    });
    return body;
  }

  /** The domain response of a non-streamed answer {@code {"lines": [...]}}. */
  static CompletionResponse response(JsonNode json, Origin origin, Map<String, String> notes) {
    JsonNode lines = json.path("lines");
    if (!lines.isArray()) {
      throw new ProviderException.InvalidResponse(origin, origin.provider() + " returned no 'lines' array", null);
    }
    ChatLinesDecoder decoder = new ChatLinesDecoder(origin, notes);
    List<StreamEvent> events = new ArrayList<>();
    for (JsonNode line : lines) {
      if (!line.isTextual()) {
        throw new ProviderException.InvalidResponse(origin, origin.provider() + " returned a line that is not a string", null);
      }
      decoder.onLine(line.asText(), events::add);
    }
    if (!decoder.finished()) {
      throw new ProviderException.InvalidResponse(origin, origin.provider() + " returned an answer without an END line", null);
    }
    return collect(events, origin);
  }

  /** Joins a whole answer's events into one response, as the gateway does for a stream. */
  private static CompletionResponse collect(List<StreamEvent> events, Origin origin) {
    StringBuilder text = new StringBuilder();
    Map<Integer, String[]> calls = new TreeMap<>();
    Usage usage = Usage.ZERO;
    StreamEvent.Finish finish = null;
    String model = origin.model();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (StreamEvent e : events) {
      if (e instanceof StreamEvent.ContentDelta d) {
        text.append(d.text());
      } else if (e instanceof StreamEvent.ToolCallDelta d) {
        String[] call = calls.computeIfAbsent(d.index(), i -> new String[] {d.id(), d.name(), ""});
        call[2] += d.argumentsDelta();
      } else if (e instanceof StreamEvent.UsageReport u) {
        usage = u.usage();
      } else if (e instanceof StreamEvent.Finish f) {
        finish = f;
      } else if (e instanceof StreamEvent.ResponseInfo info) {
        model = info.model().isEmpty() ? model : info.model();
        metadata.putAll(info.metadata());
      }
    }
    List<ToolCall> toolCalls = new ArrayList<>();
    calls.values().forEach(c -> toolCalls.add(ToolArguments.toolCall(c[0], c[1], c[2])));
    return new CompletionResponse(text.toString(), toolCalls, finish.reason(), finish.nativeReason(), usage, model, "",
        metadata);
  }

  /** chat-lines' end reasons, normalized; unknown ones count as a normal stop. */
  static StopReason stopReason(String reason, boolean toolCalls) {
    return switch (reason) {
      case "cutoff" -> StopReason.LENGTH;
      case "blocked" -> StopReason.CONTENT_FILTER;
      case "tool" -> StopReason.TOOL_CALLS;
      default -> toolCalls ? StopReason.TOOL_CALLS : StopReason.STOP;
    };
  }
}
