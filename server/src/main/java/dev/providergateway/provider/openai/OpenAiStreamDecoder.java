package dev.providergateway.provider.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.Usage;
import dev.providergateway.provider.http.HttpErrors;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.http.JsonSseDecoder;
import dev.providergateway.provider.http.JsonValues;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Decodes an OpenAI Chat Completions SSE stream: {@code data:} chunks with {@code choices[0].delta}
 * (content, reasoning, refusal, tool-call fragments by {@code index}), a chunk carrying {@code
 * finish_reason}, a usage-only chunk (asked for with {@code stream_options.include_usage}), then
 * {@code data: [DONE]}. An {@code error} object in a chunk fails the stream.
 *
 * <p>Variants of the family: usage may come on the finish chunk (Mistral, which rejects {@code
 * stream_options}) or in {@code x_groq.usage} (Groq); reasoning in {@code reasoning_content} or
 * {@code reasoning}. A refusal streams as content and is also reported in the metadata, as {@code
 * chat()} does.
 *
 * <p>Each chunk is read with Jackson's streaming parser (no {@code JsonNode} tree): its fields are
 * collected in any order first, then emitted in one fixed order, so an {@code error} that comes
 * after {@code choices} still fails the chunk before any of it is relayed.
 */
final class OpenAiStreamDecoder extends JsonSseDecoder {
  private StringBuilder refusal; // made at the first refusal: most streams have none
  private boolean sawToolCalls;

  OpenAiStreamDecoder(Origin origin, Map<String, String> notes) {
    super(origin, notes);
  }

  /** The end marker {@code [DONE]} is not JSON; every other event is one chunk object. */
  @Override
  protected void onEvent(String event, String data, Consumer<StreamEvent> emit) {
    if (data.equals("[DONE]")) {
      finish();
      if (refusal != null) {
        emit.accept(new StreamEvent.ResponseInfo("", Map.of("refusal", refusal.toString())));
      }
      return;
    }
    if (data.isBlank()) {
      return;
    }
    Chunk chunk;
    try (JsonParser p = Json.MAPPER.getFactory().createParser(data)) {
      chunk = p.nextToken() == JsonToken.START_OBJECT ? Chunk.read(p) : null;
      if (chunk != null && p.nextToken() != null) {
        chunk = null; // trailing tokens: not one JSON object
      }
    } catch (IOException e) {
      chunk = null;
    }
    if (chunk == null) {
      throw notAnObject();
    }
    relay(chunk, data, emit);
  }

  /** A chunk already parsed as a tree (not the decoder's own path) reads the same way. */
  @Override
  protected void onJson(String event, JsonNode object, String data, Consumer<StreamEvent> emit) {
    try (JsonParser p = Json.MAPPER.treeAsTokens(object)) {
      p.nextToken();
      relay(Chunk.read(p), data, emit);
    } catch (IOException e) {
      throw notAnObject();
    }
  }

  private ProviderException.InvalidResponse notAnObject() {
    return new ProviderException.InvalidResponse(
        origin, origin.provider() + " sent a stream event that is not a JSON object", null);
  }

  private void relay(Chunk chunk, String data, Consumer<StreamEvent> emit) {
    if (chunk.error) {
      throw HttpErrors.fromStreamError(origin, chunk.errorType, data);
    }
    start.open(chunk.model, emit);
    for (Choice choice : chunk.choices) {
      if (choice.index != 0) {
        continue; // n > 1 (through extra) is not supported: the contract has one answer.
      }
      String reasoning = choice.reasoning.value();
      if (!reasoning.isEmpty()) {
        emit.accept(new StreamEvent.ReasoningDelta(reasoning));
      }
      if (!choice.content.isEmpty()) {
        emit.accept(new StreamEvent.ContentDelta(choice.content));
      }
      if (!choice.refusal.isEmpty()) {
        if (refusal == null) {
          refusal = new StringBuilder();
        }
        refusal.append(choice.refusal);
        emit.accept(new StreamEvent.ContentDelta(choice.refusal));
      }
      for (OpenAiResponseMapper.ToolCallFields call : choice.toolCalls) {
        sawToolCalls = true;
        emit.accept(new StreamEvent.ToolCallDelta(call.index, call.id, call.name, call.arguments));
      }
      String finish = choice.finish;
      if (!finish.isEmpty() && !finish.equals("null")) {
        emit.accept(
            new StreamEvent.Finish(
                OpenAiResponseMapper.stopReason(finish, sawToolCalls, refusal != null), finish));
      }
    }
    Usage usage = chunk.usage != null ? chunk.usage : chunk.groqUsage;
    if (usage != null) {
      emit.accept(new StreamEvent.UsageReport(usage));
    }
  }

  /** What one chunk says, collected before anything is emitted. */
  private static final class Chunk {
    boolean error;
    String errorType = "";
    String model = "";
    List<Choice> choices = List.of();
    Usage usage;
    Usage groqUsage;

    /** Reads the object {@code p} is on, leaving it on the object's end. */
    static Chunk read(JsonParser p) throws IOException {
      Chunk c = new Chunk();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "choices" -> c.choices = choices(p);
          case "model" -> c.model = JsonValues.text(p, "");
          case "usage" -> c.usage = objectUsage(p);
          case "x_groq" -> c.groqUsage = groqUsage(p);
          case "error" -> c.readError(p);
          default -> p.skipChildren();
        }
      }
      return c;
    }

    /**
     * {@code "error": null}, which some servers put on every chunk, is no error; any other value
     * is, its kind read from {@code type}, else {@code code}.
     */
    private void readError(JsonParser p) throws IOException {
      if (p.currentToken() == JsonToken.VALUE_NULL) {
        return;
      }
      error = true;
      if (p.currentToken() != JsonToken.START_OBJECT) {
        p.skipChildren();
        return;
      }
      String type = null;
      String code = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "type" -> type = JsonValues.text(p, null);
          case "code" -> code = JsonValues.text(p, null);
          default -> p.skipChildren();
        }
      }
      errorType = type != null ? type : code != null ? code : "";
    }

    private static Usage objectUsage(JsonParser p) throws IOException {
      return p.currentToken() == JsonToken.START_OBJECT ? OpenAiResponseMapper.usage(p) : skip(p);
    }

    private static Usage groqUsage(JsonParser p) throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        return skip(p);
      }
      Usage found = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (field.equals("usage")) {
          found = objectUsage(p);
        } else {
          p.skipChildren();
        }
      }
      return found;
    }

    private static Usage skip(JsonParser p) throws IOException {
      p.skipChildren();
      return null;
    }

    private static List<Choice> choices(JsonParser p) throws IOException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        p.skipChildren();
        return List.of();
      }
      List<Choice> out = new ArrayList<>(1);
      while (p.nextToken() != JsonToken.END_ARRAY) {
        out.add(Choice.read(p));
      }
      return out;
    }
  }

  /** One element of {@code choices}: its index, its delta's parts and its finish reason. */
  private static final class Choice {
    int index;
    String content = "";
    String refusal = "";
    String finish = "";
    final OpenAiResponseMapper.Reasoning reasoning = new OpenAiResponseMapper.Reasoning();
    List<OpenAiResponseMapper.ToolCallFields> toolCalls = List.of();

    static Choice read(JsonParser p) throws IOException {
      Choice c = new Choice();
      if (p.currentToken() != JsonToken.START_OBJECT) {
        p.skipChildren();
        return c;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "index" -> c.index = JsonValues.asInt(p);
          case "delta" -> c.delta(p);
          case "finish_reason" -> c.finish = JsonValues.text(p, "");
          default -> p.skipChildren();
        }
      }
      return c;
    }

    private void delta(JsonParser p) throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        p.skipChildren();
        return;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "content" -> content = JsonValues.text(p, "");
          case "refusal" -> refusal = JsonValues.text(p, "");
          case "tool_calls" -> toolCalls(p);
          default -> {
            if (!reasoning.read(field, p)) {
              p.skipChildren();
            }
          }
        }
      }
    }

    private void toolCalls(JsonParser p) throws IOException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        p.skipChildren();
        toolCalls = List.of();
        return;
      }
      toolCalls = new ArrayList<>(1);
      while (p.nextToken() != JsonToken.END_ARRAY) {
        OpenAiResponseMapper.ToolCallFields call = new OpenAiResponseMapper.ToolCallFields();
        call.read(p);
        toolCalls.add(call);
      }
    }
  }
}
