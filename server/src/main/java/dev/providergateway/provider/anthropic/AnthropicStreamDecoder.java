package dev.providergateway.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.ReasoningBlock;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.http.HttpErrors;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.http.JsonSseDecoder;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Decodes a Messages API SSE stream: {@code message_start} (model, input usage), then per content
 * block {@code content_block_start}, {@code content_block_delta}s ({@code text_delta}, {@code
 * input_json_delta}, {@code thinking_delta}, {@code signature_delta}) and {@code
 * content_block_stop}; then {@code message_delta} (stop reason, cumulative usage) and {@code
 * message_stop}, the clean end. {@code ping} and unknown events are skipped; an {@code error} event
 * fails the stream, classified by its error type ({@code overloaded_error} stays retryable).
 *
 * <p>Tool calls are indexed by their ordinal among the response's {@code tool_use} blocks (0, 1,
 * ...), not by content block index, which also counts text and thinking blocks. A thinking block's
 * signature arrives in {@code signature_delta}s; the block is reported whole, with it, at its
 * {@code content_block_stop}.
 */
final class AnthropicStreamDecoder extends JsonSseDecoder {
  private final Map<Integer, Block> blocks = new HashMap<>();
  private final ObjectNode usage = Json.object();
  private int toolCalls;

  AnthropicStreamDecoder(Origin origin, Map<String, String> notes) {
    super(origin, notes);
  }

  @Override
  protected void onJson(String event, JsonNode e, String data, Consumer<StreamEvent> emit) {
    switch (e.path("type").asText(event)) {
      case "message_start" -> {
        JsonNode message = e.path("message");
        start.open(message.path("model").asText(""), emit);
        mergeUsage(message.path("usage"), emit);
      }
      case "content_block_start" ->
          blockStart(e.path("index").asInt(0), e.path("content_block"), emit);
      case "content_block_delta" -> blockDelta(e.path("index").asInt(0), e.path("delta"), emit);
      case "content_block_stop" -> blockStop(e.path("index").asInt(0), emit);
      case "message_delta" -> {
        start.open("", emit);
        JsonNode stop = e.path("delta").path("stop_reason");
        if (stop.isTextual()) {
          emit.accept(
              new StreamEvent.Finish(
                  AnthropicResponseMapper.stopReason(stop.asText(), toolCalls > 0), stop.asText()));
        }
        mergeUsage(e.path("usage"), emit);
      }
      case "message_stop" -> finish();
      case "error" -> {
        JsonNode error = e.path("error");
        throw HttpErrors.fromStreamError(origin, error.path("type").asText(""), data);
      }
      default -> {}
    }
  }

  private void blockStart(int index, JsonNode block, Consumer<StreamEvent> emit) {
    start.open("", emit);
    String type = block.path("type").asText("");
    Block b = open(index, type);
    switch (type) {
      case "text" -> content(block.path("text").asText(""), emit);
      case "thinking" -> {
        reasoning(b, block.path("thinking").asText(""), emit);
        b.signature.append(block.path("signature").asText(""));
      }
      case "redacted_thinking" -> b.text.append(block.path("data").asText(""));
      case "tool_use" -> {
        emit.accept(
            new StreamEvent.ToolCallDelta(
                b.toolIndex, block.path("id").asText(""), block.path("name").asText(""), ""));
        JsonNode input = block.path("input");
        if (input.isObject() && input.size() > 0) {
          b.initialInput = Json.write(input);
        }
      }
      default -> {}
    }
  }

  private void blockDelta(int index, JsonNode delta, Consumer<StreamEvent> emit) {
    start.open("", emit);
    String type = delta.path("type").asText("");
    switch (type) {
      case "text_delta" -> content(delta.path("text").asText(""), emit);
      case "thinking_delta" ->
          reasoning(block(index, "thinking"), delta.path("thinking").asText(""), emit);
      case "signature_delta" ->
          block(index, "thinking").signature.append(delta.path("signature").asText(""));
      case "input_json_delta" -> {
        Block b = block(index, "tool_use");
        if (b.toolIndex < 0) {
          throw new ProviderException.InvalidResponse(
              origin,
              origin.provider()
                  + " sent tool input for content block "
                  + index
                  + ", which is "
                  + b.type,
              null);
        }
        String partial = delta.path("partial_json").asText("");
        if (!partial.isEmpty()) {
          b.streamedInput = true;
          emit.accept(new StreamEvent.ToolCallDelta(b.toolIndex, "", "", partial));
        }
      }
      default -> {}
    }
  }

  private void blockStop(int index, Consumer<StreamEvent> emit) {
    Block b = blocks.remove(index);
    if (b == null) {
      return;
    }
    switch (b.type) {
      case "thinking" ->
          emit.accept(
              new StreamEvent.ReasoningBlockEnd(
                  new ReasoningBlock(b.text.toString(), b.signature.toString(), false)));
      case "redacted_thinking" ->
          emit.accept(
              new StreamEvent.ReasoningBlockEnd(new ReasoningBlock(b.text.toString(), "", true)));
      case "tool_use" -> {
        // Some Anthropic-compatible servers send the whole input at the start and no deltas.
        if (!b.streamedInput && !b.initialInput.isEmpty()) {
          emit.accept(new StreamEvent.ToolCallDelta(b.toolIndex, "", "", b.initialInput));
        }
      }
      default -> {}
    }
  }

  private static void content(String text, Consumer<StreamEvent> emit) {
    if (!text.isEmpty()) {
      emit.accept(new StreamEvent.ContentDelta(text));
    }
  }

  private static void reasoning(Block b, String text, Consumer<StreamEvent> emit) {
    if (!text.isEmpty()) {
      b.text.append(text);
      emit.accept(new StreamEvent.ReasoningDelta(text));
    }
  }

  /** Usage fields are cumulative: each report replaces the fields it carries. */
  private void mergeUsage(JsonNode u, Consumer<StreamEvent> emit) {
    if (!u.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = u.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getValue().isNumber()) {
        usage.set(field.getKey(), field.getValue());
      }
    }
    emit.accept(new StreamEvent.UsageReport(AnthropicResponseMapper.usage(usage)));
  }

  private Block open(int index, String type) {
    Block b = new Block(type, type.equals("tool_use") ? toolCalls++ : -1);
    blocks.put(index, b);
    return b;
  }

  /** The block at {@code index}; a delta for a block never started opens one of its type. */
  private Block block(int index, String type) {
    Block b = blocks.get(index);
    return b != null ? b : open(index, type);
  }

  /** What a content block in progress has accumulated. */
  private static final class Block {
    private final String type;
    private final int toolIndex;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder signature = new StringBuilder();
    private String initialInput = "";
    private boolean streamedInput;

    private Block(String type, int toolIndex) {
      this.type = type;
      this.toolIndex = toolIndex;
    }
  }
}
