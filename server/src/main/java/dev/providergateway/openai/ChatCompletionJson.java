package dev.providergateway.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.StreamChunk;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.Usage;
import java.io.IOException;
import java.util.List;

/**
 * Writes the gateway's answers in OpenAI's exact Chat Completions shapes: a {@code chat.completion}
 * object, and the {@code chat.completion.chunk} objects of a stream, with {@code usage} carrying
 * {@code prompt_tokens_details.cached_tokens} and {@code
 * completion_tokens_details.reasoning_tokens}. Streamed with Jackson's generator, no tree.
 */
final class ChatCompletionJson {
  static final JsonFactory JSON = new JsonFactory();

  private ChatCompletionJson() {}

  /** The non-streaming answer. */
  static void completion(JsonGenerator g, String id, long created, CompletionResponse r)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("id", id);
    g.writeStringField("object", "chat.completion");
    g.writeNumberField("created", created);
    g.writeStringField("model", r.model());
    g.writeArrayFieldStart("choices");
    g.writeStartObject();
    g.writeNumberField("index", 0);
    g.writeObjectFieldStart("message");
    g.writeStringField("role", "assistant");
    if (r.content().isEmpty() && !r.toolCalls().isEmpty()) {
      g.writeNullField("content");
    } else {
      g.writeStringField("content", r.content());
    }
    g.writeNullField("refusal");
    if (!r.reasoningContent().isEmpty()) {
      g.writeStringField("reasoning_content", r.reasoningContent());
    }
    if (!r.toolCalls().isEmpty()) {
      g.writeArrayFieldStart("tool_calls");
      for (ToolCall c : r.toolCalls()) {
        g.writeStartObject();
        g.writeStringField("id", c.id());
        g.writeStringField("type", "function");
        g.writeObjectFieldStart("function");
        g.writeStringField("name", c.name());
        g.writeStringField("arguments", c.arguments());
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
    g.writeNullField("logprobs");
    g.writeStringField("finish_reason", finishReason(r.stopReason()));
    g.writeEndObject();
    g.writeEndArray();
    g.writeFieldName("usage");
    usage(g, r.usage());
    g.writeNullField("system_fingerprint");
    g.writeEndObject();
  }

  /** The opening of one {@code chat.completion.chunk}, up to and including the choice's index. */
  private static void chunkStart(JsonGenerator g, String id, long created, String model)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("id", id);
    g.writeStringField("object", "chat.completion.chunk");
    g.writeNumberField("created", created);
    g.writeStringField("model", model);
    g.writeNullField("system_fingerprint");
  }

  /**
   * A chunk with a delta: {@code role} on the first, then content, reasoning and tool-call deltas.
   * {@code finish} is null except on the last choice chunk.
   */
  static void deltaChunk(
      JsonGenerator g,
      String id,
      long created,
      String model,
      boolean first,
      String content,
      String reasoning,
      List<StreamEvent.ToolCallDelta> deltas,
      List<ToolCall> wholeCalls,
      String finish,
      boolean usageNull)
      throws IOException {
    chunkStart(g, id, created, model);
    g.writeArrayFieldStart("choices");
    g.writeStartObject();
    g.writeNumberField("index", 0);
    g.writeObjectFieldStart("delta");
    if (first) {
      g.writeStringField("role", "assistant");
    }
    if (!content.isEmpty() || (first && deltas.isEmpty() && wholeCalls.isEmpty())) {
      g.writeStringField("content", content);
    }
    if (!reasoning.isEmpty()) {
      g.writeStringField("reasoning_content", reasoning);
    }
    if (!deltas.isEmpty() || !wholeCalls.isEmpty()) {
      g.writeArrayFieldStart("tool_calls");
      for (StreamEvent.ToolCallDelta d : deltas) {
        g.writeStartObject();
        g.writeNumberField("index", d.index());
        if (!d.id().isEmpty()) {
          g.writeStringField("id", d.id());
          g.writeStringField("type", "function");
        }
        g.writeObjectFieldStart("function");
        if (!d.name().isEmpty()) {
          g.writeStringField("name", d.name());
        }
        g.writeStringField("arguments", d.argumentsDelta());
        g.writeEndObject();
        g.writeEndObject();
      }
      int index = 0;
      for (ToolCall c : wholeCalls) {
        g.writeStartObject();
        g.writeNumberField("index", index++);
        g.writeStringField("id", c.id());
        g.writeStringField("type", "function");
        g.writeObjectFieldStart("function");
        g.writeStringField("name", c.name());
        g.writeStringField("arguments", c.arguments());
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
    g.writeNullField("logprobs");
    if (finish == null) {
      g.writeNullField("finish_reason");
    } else {
      g.writeStringField("finish_reason", finish);
    }
    g.writeEndObject();
    g.writeEndArray();
    if (usageNull) {
      g.writeNullField("usage");
    }
    g.writeEndObject();
  }

  /** The {@code stream_options.include_usage} chunk: no choices, the usage. */
  static void usageChunk(JsonGenerator g, String id, long created, String model, Usage usage)
      throws IOException {
    chunkStart(g, id, created, model);
    g.writeArrayFieldStart("choices");
    g.writeEndArray();
    g.writeFieldName("usage");
    usage(g, usage);
    g.writeEndObject();
  }

  static void usage(JsonGenerator g, Usage u) throws IOException {
    g.writeStartObject();
    g.writeNumberField("prompt_tokens", u.promptTokens());
    g.writeNumberField("completion_tokens", u.completionTokens());
    g.writeNumberField("total_tokens", u.totalTokens());
    g.writeObjectFieldStart("prompt_tokens_details");
    g.writeNumberField("cached_tokens", u.cacheReadTokens());
    g.writeNumberField("audio_tokens", 0);
    g.writeEndObject();
    g.writeObjectFieldStart("completion_tokens_details");
    g.writeNumberField("reasoning_tokens", u.reasoningTokens());
    g.writeNumberField("audio_tokens", 0);
    g.writeNumberField("accepted_prediction_tokens", 0);
    g.writeNumberField("rejected_prediction_tokens", 0);
    g.writeEndObject();
    g.writeEndObject();
  }

  static String finishReason(StopReason reason) {
    return switch (reason) {
      case STOP -> "stop";
      case LENGTH -> "length";
      case TOOL_CALLS -> "tool_calls";
      case CONTENT_FILTER -> "content_filter";
    };
  }

  /** Whether a final chunk's content was already counted: unused marker for readability. */
  static boolean hasOutput(StreamChunk c) {
    return !c.content().isEmpty()
        || !c.reasoningContent().isEmpty()
        || !c.toolCallDeltas().isEmpty();
  }

  /**
   * An OpenAI {@code list} of {@code embedding} objects: each vector as a JSON array of numbers, or
   * with {@code base64} as the base64 of its little-endian float32 bytes (as OpenAI sends it).
   */
  static void embeddings(
      JsonGenerator g, String model, dev.providergateway.provider.EmbedResponse r, boolean base64)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("object", "list");
    g.writeArrayFieldStart("data");
    for (int i = 0; i < r.vectors().size(); i++) {
      float[] vector = r.vectors().get(i);
      g.writeStartObject();
      g.writeStringField("object", "embedding");
      g.writeNumberField("index", i);
      if (base64) {
        java.nio.ByteBuffer buf =
            java.nio.ByteBuffer.allocate(vector.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(vector);
        g.writeStringField("embedding", java.util.Base64.getEncoder().encodeToString(buf.array()));
      } else {
        g.writeArrayFieldStart("embedding");
        for (float f : vector) {
          g.writeNumber(f);
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeStringField("model", model);
    g.writeObjectFieldStart("usage");
    g.writeNumberField("prompt_tokens", r.usage().promptTokens());
    g.writeNumberField("total_tokens", r.usage().promptTokens());
    g.writeEndObject();
    g.writeEndObject();
  }

  /**
   * {@code GET /v1/models}: the routes and {@code provider/model} ids {@code listing} shows the
   * caller, each once, in OpenAI's model list shape.
   */
  static void models(
      JsonGenerator g, dev.providergateway.v1.ListProvidersResponse listing, long created)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("object", "list");
    g.writeArrayFieldStart("data");
    java.util.Set<String> seen = new java.util.LinkedHashSet<>();
    for (var route : listing.getRoutesList()) {
      seen.add(route.getName());
    }
    for (var provider : listing.getProvidersList()) {
      if (!provider.getDefaultModel().isEmpty()) {
        seen.add(provider.getName() + "/" + provider.getDefaultModel());
      }
      for (var model : provider.getModelsList()) {
        seen.add(provider.getName() + "/" + model.getId());
      }
    }
    for (String id : seen) {
      g.writeStartObject();
      g.writeStringField("id", id);
      g.writeStringField("object", "model");
      g.writeNumberField("created", created);
      int slash = id.indexOf('/');
      g.writeStringField("owned_by", slash < 0 ? "route" : id.substring(0, slash));
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }
}
