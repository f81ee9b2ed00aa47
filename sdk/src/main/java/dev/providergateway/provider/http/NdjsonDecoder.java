package dev.providergateway.provider.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import java.util.function.Consumer;

/**
 * A {@link StreamDecoder} for newline-delimited JSON ({@code application/x-ndjson}): it skips blank
 * lines, parses every other line as one JSON object and hands it to {@link #onObject}; a line that
 * is not a JSON object fails the stream with {@link ProviderException.InvalidResponse}. Once {@link
 * #finished()} is true, later lines are ignored (some servers send trailing keep-alive objects
 * after their end marker).
 *
 * <p>Subclasses hold the per-response state (which tool-call index is open, whether the end marker
 * arrived) and decide {@link #finished()}. Like every decoder: one instance per response, called
 * serially, never concurrently, so that state needs no synchronization.
 */
public abstract class NdjsonDecoder implements StreamDecoder {
  /** Where this stream comes from, for the errors it raises. */
  protected final Origin origin;

  /** A decoder for a response from {@code origin}. */
  protected NdjsonDecoder(Origin origin) {
    this.origin = requireNonNull(origin, "origin");
  }

  /**
   * Handles one JSON object of the stream. Throw a {@link ProviderException} (for example from
   * {@link HttpErrors#fromStreamError}) when the object reports an upstream error.
   */
  protected abstract void onObject(JsonNode object, Consumer<StreamEvent> emit);

  @Override
  public final void onLine(String line, Consumer<StreamEvent> emit) {
    if (line.isBlank() || finished()) {
      return;
    }
    JsonNode object = Json.tryParse(line);
    if (object == null || !object.isObject()) {
      throw new ProviderException.InvalidResponse(
          origin, origin.provider() + " sent a stream line that is not a JSON object", null);
    }
    onObject(object, emit);
  }
}
