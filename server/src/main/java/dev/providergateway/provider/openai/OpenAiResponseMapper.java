package dev.providergateway.provider.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.ToolArguments;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.Usage;
import dev.providergateway.provider.http.JsonValues;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps OpenAI Chat Completions answers to domain records: the whole completion, and the usage,
 * reasoning and finish reasons that streamed chunks carry too. Reads with Jackson's streaming
 * parser straight into the records (no {@code JsonNode} tree): fields may come in any order,
 * unknown fields (nested objects and arrays included) are skipped, and {@code null} reads as a
 * missing field. Stateless.
 */
final class OpenAiResponseMapper {
  private OpenAiResponseMapper() {}

  /**
   * The domain response of a non-streamed completion; {@code p} is on the body's {@code
   * START_OBJECT} and is left on its {@code END_OBJECT}.
   */
  static CompletionResponse response(JsonParser p, Origin origin, Map<String, String> notes)
      throws IOException {
    Message message = null;
    String finish = "";
    Usage usage = Usage.ZERO;
    String model = origin.model();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "choices" -> {
          message = null;
          finish = "";
          if (p.currentToken() == JsonToken.START_ARRAY) {
            boolean first = true;
            while (p.nextToken() != JsonToken.END_ARRAY) {
              if (first && p.currentToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                  String name = p.currentName();
                  p.nextToken();
                  if (name.equals("message")) {
                    message = p.currentToken() == JsonToken.START_OBJECT ? message(p) : skip(p);
                  } else if (name.equals("finish_reason")) {
                    finish = JsonValues.text(p, "");
                  } else {
                    p.skipChildren();
                  }
                }
              } else {
                p.skipChildren();
              }
              first = false;
            }
          } else {
            p.skipChildren();
          }
        }
        case "usage" -> usage = usage(p);
        case "model" -> model = JsonValues.text(p, origin.model());
        default -> p.skipChildren();
      }
    }
    if (message == null) {
      throw new ProviderException.InvalidResponse(
          origin, origin.provider() + " returned no choices[0].message", null);
    }
    Map<String, String> metadata = new LinkedHashMap<>(notes);
    if (!message.refusal.isEmpty()) {
      metadata.put("refusal", message.refusal);
    }
    return new CompletionResponse(
        // A refusal is the answer the caller sees, as in a stream; metadata marks it as one.
        message.content.isEmpty() ? message.refusal : message.content,
        message.calls,
        stopReason(finish, !message.calls.isEmpty(), !message.refusal.isEmpty()),
        finish,
        usage,
        model,
        message.reasoning.value(),
        metadata,
        List.of());
  }

  /** What a {@code message} object says. */
  private static final class Message {
    String content = "";
    String refusal = "";
    final Reasoning reasoning = new Reasoning();
    List<ToolCall> calls = List.of();
  }

  private static Message skip(JsonParser p) throws IOException {
    p.skipChildren();
    return null;
  }

  private static Message message(JsonParser p) throws IOException {
    Message m = new Message();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "content" -> m.content = JsonValues.text(p, "");
        case "refusal" -> m.refusal = JsonValues.text(p, "");
        case "tool_calls" -> m.calls = toolCalls(p);
        default -> {
          if (!m.reasoning.read(field, p)) {
            p.skipChildren();
          }
        }
      }
    }
    return m;
  }

  private static List<ToolCall> toolCalls(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      p.skipChildren();
      return List.of();
    }
    List<ToolCall> calls = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      ToolCallFields c = new ToolCallFields();
      c.read(p);
      calls.add(ToolArguments.toolCall(c.id, c.name, c.arguments));
    }
    return calls;
  }

  /**
   * The fields of one tool call (whole, or a streamed fragment): {@code index}, {@code id} and
   * {@code function.name}/{@code function.arguments}, each "" (0) when missing or null.
   */
  static final class ToolCallFields {
    int index;
    String id = "";
    String name = "";
    String arguments = "";

    /** Reads the value {@code p} is on; a value that is not an object leaves every field empty. */
    void read(JsonParser p) throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        p.skipChildren();
        return;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "index" -> index = JsonValues.asInt(p);
          case "id" -> id = JsonValues.text(p, "");
          case "function" -> function(p);
          default -> p.skipChildren();
        }
      }
    }

    private void function(JsonParser p) throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        p.skipChildren();
        return;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "name" -> name = JsonValues.text(p, "");
          case "arguments" -> arguments = JsonValues.text(p, "");
          default -> p.skipChildren();
        }
      }
    }
  }

  /**
   * Reasoning text: DeepSeek, vLLM and others put it in {@code reasoning_content}; some in {@code
   * reasoning}. The first wins when both are strings, whatever their order.
   */
  static final class Reasoning {
    private String content;
    private String other;

    /** Reads {@code field} if it is one of the two; false (nothing read) otherwise. */
    boolean read(String field, JsonParser p) throws IOException {
      if (field.equals("reasoning_content")) {
        content = JsonValues.textOnly(p);
        return true;
      }
      if (field.equals("reasoning")) {
        other = JsonValues.textOnly(p);
        return true;
      }
      return false;
    }

    String value() {
      return content != null ? content : other != null ? other : "";
    }
  }

  /**
   * Usage normalized: the family's prompt_tokens already includes cached input. Cache reads are in
   * prompt_tokens_details.cached_tokens (OpenAI and most), prompt_cache_hit_tokens (DeepSeek) or a
   * top-level cached_tokens (Moonshot), in that order of preference. {@code p} is on the usage
   * value; anything but an object reads as no usage.
   */
  static Usage usage(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      p.skipChildren();
      return Usage.ZERO;
    }
    int prompt = 0;
    int completion = 0;
    int reasoning = 0;
    Integer detailsCached = null;
    Integer hitCached = null;
    int topCached = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "prompt_tokens" -> prompt = JsonValues.asInt(p);
        case "completion_tokens" -> completion = JsonValues.asInt(p);
        case "prompt_cache_hit_tokens" ->
            hitCached = JsonValues.isNumber(p) ? JsonValues.asInt(p) : skipInt(p);
        case "cached_tokens" -> topCached = JsonValues.asInt(p);
        case "prompt_tokens_details" -> {
          Integer v = numberIn(p, "cached_tokens");
          detailsCached = v;
        }
        case "completion_tokens_details" -> {
          Integer v = numberIn(p, "reasoning_tokens");
          reasoning = v == null ? 0 : v;
        }
        default -> p.skipChildren();
      }
    }
    int cached = detailsCached != null ? detailsCached : hitCached != null ? hitCached : topCached;
    return new Usage(prompt, completion, cached, 0, reasoning);
  }

  private static Integer skipInt(JsonParser p) throws IOException {
    p.skipChildren();
    return null;
  }

  /** The number in field {@code name} of the object {@code p} is on, or null; skips the rest. */
  private static Integer numberIn(JsonParser p, String name) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      p.skipChildren();
      return null;
    }
    Integer found = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      if (field.equals(name) && JsonValues.isNumber(p)) {
        found = JsonValues.asInt(p);
      } else {
        p.skipChildren();
      }
    }
    return found;
  }

  static StopReason stopReason(String finish, boolean toolCalls, boolean refused) {
    return switch (finish) {
      // Mistral says model_length; DeepSeek cuts answers short with insufficient_system_resource,
      // which, like length, needs a continuation.
      case "length", "model_length", "insufficient_system_resource" -> StopReason.LENGTH;
      case "tool_calls", "function_call" -> StopReason.TOOL_CALLS;
      case "content_filter" -> StopReason.CONTENT_FILTER;
      default ->
          refused ? StopReason.CONTENT_FILTER : toolCalls ? StopReason.TOOL_CALLS : StopReason.STOP;
    };
  }
}
