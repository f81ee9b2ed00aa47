package dev.providergateway.dispatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Joins streamed tool-call fragments by index into complete calls, ordered by index. Arguments
 * that are not a JSON object become {@code "{}"}, with the model's text kept in {@code
 * rawArguments}. Not thread-safe: one per stream, fed serially.
 */
final class ToolCallAccumulator {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final class Partial {
    private String id = "";
    private String name = "";
    private final StringBuilder arguments = new StringBuilder();
  }

  private final Map<Integer, Partial> byIndex = new TreeMap<>();

  void add(StreamEvent.ToolCallDelta delta) {
    Partial p = byIndex.computeIfAbsent(delta.index(), i -> new Partial());
    if (!delta.id().isEmpty()) {
      p.id = delta.id();
    }
    if (!delta.name().isEmpty()) {
      p.name = delta.name();
    }
    p.arguments.append(delta.argumentsDelta());
  }

  boolean isEmpty() {
    return byIndex.isEmpty();
  }

  List<ToolCall> complete() {
    List<ToolCall> calls = new ArrayList<>(byIndex.size());
    for (Map.Entry<Integer, Partial> e : byIndex.entrySet()) {
      Partial p = e.getValue();
      String id = p.id.isEmpty() ? "call_" + e.getKey() : p.id;
      calls.add(parsed(id, p.name, p.arguments.toString()));
    }
    return calls;
  }

  /** A call whose arguments are a JSON object text, keeping the raw text when it was not one. */
  static ToolCall parsed(String id, String name, String raw) {
    if (raw.isBlank()) {
      return ToolCall.of(id, name, "{}");
    }
    try {
      JsonNode node = JSON.readTree(raw);
      if (node != null && node.isObject()) {
        return ToolCall.of(id, name, raw);
      }
    } catch (JsonProcessingException e) {
      // Reported through rawArguments, as the contract says.
    }
    return new ToolCall(id, name, "{}", raw);
  }
}
