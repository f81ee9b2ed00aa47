package dev.providergateway.examples.chatlines;

import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.http.HttpProvider;
import dev.providergateway.provider.http.ProviderOptions;
import java.net.URI;
import java.util.Map;

/**
 * A provider speaking chat-lines ({@code POST {base}/v1/generate}, one event per line; see the
 * module README). {@link HttpProvider} does the calls; this class only names the endpoint, the key
 * header and the mappers. The gateway adds validation, routing, the circuit breaker, retries,
 * deadlines, cancellation and error mapping around it.
 *
 * <p>Thread-safe: its fields are immutable.
 */
final class ChatLinesProvider extends HttpProvider {
  private final URI endpoint;

  ChatLinesProvider(ProviderOptions options, ChatLinesSettings settings) {
    super(
        options,
        ChatLinesModels.descriptor(settings),
        settings.apiKey() == null ? Map.of() : Map.of("x-lines-key", settings.apiKey()),
        ChatLinesResponseMapper::response,
        ChatLinesStreamDecoder::new);
    this.endpoint = URI.create(settings.baseUrl() + "/v1/generate");
  }

  @Override
  protected URI endpoint(ChatRequest request, boolean stream) {
    return endpoint;
  }

  @Override
  protected Object requestBody(ChatRequest request, boolean stream, Map<String, String> notes) {
    return ChatLinesRequestMapper.requestBody(request, stream, notes);
  }
}
