package dev.providergateway.examples.chatlines;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.ModelInfo;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolCallFormat;
import dev.providergateway.provider.http.UpstreamHttp;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * A provider speaking chat-lines ({@code POST {base}/v1/generate}, one event per line; see the
 * module README). It only translates: the gateway adds validation, routing, the circuit breaker,
 * retries, deadlines, cancellation and error mapping around it.
 *
 * <p>Thread-safe: its fields are immutable and {@link UpstreamHttp} is shared by all calls.
 */
final class ChatLinesProvider implements Provider {
  private final String name;
  private final UpstreamHttp http;
  private final URI endpoint;
  private final Map<String, String> headers;
  private final ProviderDescriptor descriptor;

  ChatLinesProvider(String name, ChatLinesSettings settings, List<String> models, Clock clock) {
    this.name = requireNonNull(name, "name");
    this.http = new UpstreamHttp(settings.connectTimeout(), settings.requestTimeout(), clock);
    this.endpoint = URI.create(settings.baseUrl() + "/v1/generate");
    Map<String, String> h = new LinkedHashMap<>(settings.headers());
    if (settings.apiKey() != null) {
      h.put("x-lines-key", settings.apiKey());
    }
    this.headers = Map.copyOf(h);
    this.descriptor = new ProviderDescriptor(ChatLinesProviderFactory.TYPE,
        "chat-lines at " + settings.baseUrl().getAuthority(), settings.defaultModel(),
        models.stream().map(m -> new ModelInfo(m, capabilities(m))).toList(), capabilities(settings.defaultModel()),
        false);
  }

  /**
   * What the wire supports for {@code model}. The tool-calling details (native or text calls)
   * live in the plugin's {@code tool-calling.yaml} fragment, which the gateway reads.
   */
  static Capabilities capabilities(String model) {
    boolean mini = model.startsWith("lines-mini");
    return new Capabilities(true, true, false, false,
        mini ? ToolCallFormat.XML : ToolCallFormat.ANTHROPIC, mini ? 8_192 : 32_768);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ProviderDescriptor descriptor() {
    return descriptor;
  }

  @Override
  public CompletableFuture<CompletionResponse> chat(ChatRequest request, CallContext context) {
    Origin origin = new Origin(name, request.model(), 0);
    Map<String, String> notes = new LinkedHashMap<>();
    var body = ChatLinesMapper.requestBody(request, false, notes);
    // The parsing overload: cancelling the returned future still aborts the exchange.
    return http.postJson(endpoint, headers, body, origin, context, json -> ChatLinesMapper.response(json, origin, notes));
  }

  @Override
  public Flow.Publisher<StreamEvent> stream(ChatRequest request, CallContext context) {
    Origin origin = new Origin(name, request.model(), 0);
    Map<String, String> notes = new LinkedHashMap<>();
    var body = ChatLinesMapper.requestBody(request, true, notes);
    return http.postStream(endpoint, headers, body, origin, context, () -> new ChatLinesDecoder(origin, notes));
  }

  @Override
  public void close() {
    http.close();
  }
}
