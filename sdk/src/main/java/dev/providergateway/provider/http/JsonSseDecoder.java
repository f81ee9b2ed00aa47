package dev.providergateway.provider.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An {@link SseDecoder} for streams whose events carry one JSON object each, as most LLM APIs send
 * them: it parses every event's data and hands the object to {@link #onJson}; data that is not a
 * JSON object fails the stream with {@link ProviderException.InvalidResponse}, and an event without
 * data is skipped. The SSE counterpart of {@link NdjsonDecoder}, so that a decoder holds only its
 * wire's meaning, not the parsing every such decoder repeats.
 *
 * <p>A subclass opens the answer through {@link #start} (see {@link StreamStart}) and calls {@link
 * #finish()} when its wire's end marker arrives. A wire with non-JSON markers (OpenAI's {@code
 * [DONE]}) overrides {@link #onEvent} to handle them before calling this one. Like every decoder:
 * one instance per response, called serially, never concurrently.
 */
public abstract class JsonSseDecoder extends SseDecoder {
  /** Where this stream comes from, for the errors it raises. */
  protected final Origin origin;

  /** The opening of this answer, which carries {@code notes}. */
  protected final StreamStart start;

  private boolean finished;

  /** A decoder for a response from {@code origin} whose request mapping left {@code notes}. */
  protected JsonSseDecoder(Origin origin, Map<String, String> notes) {
    this.origin = requireNonNull(origin, "origin");
    this.start = new StreamStart(origin, notes);
  }

  /**
   * Handles one event's JSON object; {@code data} is its text, for {@link
   * HttpErrors#fromStreamError} when the object reports an upstream error. {@code event} is "" when
   * the upstream named none.
   */
  protected abstract void onJson(
      String event, JsonNode object, String data, Consumer<StreamEvent> emit);

  @Override
  protected void onEvent(String event, String data, Consumer<StreamEvent> emit) {
    if (data.isBlank()) {
      return;
    }
    JsonNode object = Json.tryParse(data);
    if (object == null || !object.isObject()) {
      throw new ProviderException.InvalidResponse(
          origin, origin.provider() + " sent a stream event that is not a JSON object", null);
    }
    onJson(event, object, data, emit);
  }

  /** Records the wire's clean end: a body that ends after this ended well. */
  protected final void finish() {
    finished = true;
  }

  @Override
  public final boolean finished() {
    return finished;
  }
}
