package dev.providergateway.dispatch;

import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolArguments;
import dev.providergateway.provider.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Joins streamed tool-call fragments by index into complete calls, ordered by index. A call's id
 * and name are the first non-empty ones its fragments carry. Arguments are parsed by {@link
 * ToolArguments}. Not thread-safe: one per stream, fed serially.
 */
final class ToolCallAccumulator {
  private static final class Partial {
    private String id = "";
    private String name = "";
    private String signature = "";
    private final StringBuilder arguments = new StringBuilder();
  }

  private final Map<Integer, Partial> byIndex = new TreeMap<>();

  void add(StreamEvent.ToolCallDelta delta) {
    Partial p = byIndex.computeIfAbsent(delta.index(), i -> new Partial());
    if (p.id.isEmpty()) {
      p.id = delta.id();
    }
    if (p.name.isEmpty()) {
      p.name = delta.name();
    }
    p.arguments.append(delta.argumentsDelta());
  }

  void sign(StreamEvent.ToolCallSignature event) {
    byIndex.computeIfAbsent(event.index(), i -> new Partial()).signature = event.signature();
  }

  boolean isEmpty() {
    return byIndex.isEmpty();
  }

  List<ToolCall> complete() {
    List<ToolCall> calls = new ArrayList<>(byIndex.size());
    for (Map.Entry<Integer, Partial> e : byIndex.entrySet()) {
      Partial p = e.getValue();
      String id = p.id.isEmpty() ? "call_" + e.getKey() : p.id;
      calls.add(
          ToolArguments.toolCall(id, p.name, p.arguments.toString()).withSignature(p.signature));
    }
    return calls;
  }
}
