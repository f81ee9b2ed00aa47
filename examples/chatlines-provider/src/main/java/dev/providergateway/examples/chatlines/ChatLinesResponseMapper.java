package dev.providergateway.examples.chatlines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolArguments;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.Usage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maps a non-streamed chat-lines answer, {@code {"lines": [...]}}, to a {@link CompletionResponse}.
 * The lines are the ones a stream carries, so the same {@link ChatLinesStreamDecoder} reads them
 * and this class joins its events. Stateless.
 */
final class ChatLinesResponseMapper {
  private ChatLinesResponseMapper() {}

  /**
   * The domain response of a non-streamed answer; {@code notes} (from the request side) go into its
   * metadata.
   */
  static CompletionResponse response(JsonNode json, Origin origin, Map<String, String> notes) {
    JsonNode lines = json.path("lines");
    if (!lines.isArray()) {
      throw new ProviderException.InvalidResponse(
          origin, origin.provider() + " returned no 'lines' array", null);
    }
    ChatLinesStreamDecoder decoder = new ChatLinesStreamDecoder(origin, notes);
    List<StreamEvent> events = new ArrayList<>();
    for (JsonNode line : lines) {
      if (!line.isTextual()) {
        throw new ProviderException.InvalidResponse(
            origin, origin.provider() + " returned a line that is not a string", null);
      }
      decoder.onLine(line.asText(), events::add);
    }
    if (!decoder.finished()) {
      throw new ProviderException.InvalidResponse(
          origin, origin.provider() + " returned an answer without an END line", null);
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
    return new CompletionResponse(
        text.toString(),
        toolCalls,
        finish.reason(),
        finish.nativeReason(),
        usage,
        model,
        "",
        metadata,
        List.of());
  }
}
