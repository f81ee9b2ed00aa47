package dev.providergateway.provider.gemini;

import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.http.SseDecoder;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Decodes a {@code streamGenerateContent?alt=sse} body: each {@code data:} event is one whole
 * {@code GenerateContentResponse} (Google frames them with {@code \r\n\r\n}). There is no
 * {@code [DONE]} marker: the stream ended cleanly once a chunk carried a {@code finishReason} (or
 * a prompt block reason) and the body then ended; a body that ends before that died. An {@code
 * error} object arriving as a chunk fails the stream.
 */
final class GeminiStreamDecoder extends SseDecoder {
  private final Origin origin;
  private final GeminiResponseReader reader;

  GeminiStreamDecoder(Origin origin, Map<String, String> notes) {
    this.origin = origin;
    this.reader = new GeminiResponseReader(origin, notes);
  }

  @Override
  public boolean finished() {
    return reader.finished();
  }

  @Override
  protected void onEvent(String event, String data, Consumer<StreamEvent> emit) {
    if (data.isBlank()) {
      return;
    }
    var chunk = Json.tryParse(data);
    if (chunk == null || !chunk.isObject()) {
      throw new ProviderException.InvalidResponse(origin, origin.provider() + " sent a stream event that is not a JSON object", null);
    }
    reader.read(chunk, data, emit);
  }
}
