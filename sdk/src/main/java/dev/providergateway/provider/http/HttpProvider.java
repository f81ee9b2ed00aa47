package dev.providergateway.provider.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * The provider kit: a {@link Provider} that speaks JSON over HTTP, with everything every such
 * provider does written once. It owns {@link #name()}, {@link #descriptor()}, {@link #chat}, {@link
 * #stream} and {@link #close()}; a subclass says only what differs on its wire:
 *
 * <ul>
 *   <li>{@link #endpoint}: where a request goes;
 *   <li>{@link #requestBody}: the wire request for a {@link ChatRequest};
 *   <li>a {@link ResponseMapper} (given to the constructor): the {@link CompletionResponse} for a
 *       non-streamed answer;
 *   <li>a {@link DecoderFactory} (given to the constructor): a fresh decoder for one streamed
 *       answer;
 *   <li>{@link #refineError} (optional): the provider's own reading of its error bodies.
 * </ul>
 *
 * The headers (the entry's {@code headers} option plus the provider's own, such as the credential)
 * are fixed at construction. Template methods run on the calling thread (request side) or on an
 * event loop (response side) and must not block.
 *
 * <p>Every call gets a fresh {@code notes} map: facts the request mapping wants the response to
 * carry in its metadata (say, a parameter the model does not take and that was dropped). The
 * request side fills it before anything is sent; the response side reads it.
 *
 * <p>Thread-safe as long as the subclass's fields are immutable; the gateway shares one instance
 * across all calls and closes it once at shutdown, which closes its {@link UpstreamHttp}.
 */
public abstract class HttpProvider implements Provider {
  private final String name;
  private final ProviderDescriptor descriptor;
  private final UpstreamHttp http;
  private final Map<String, String> headers;
  private final ResponseMapper responses;
  private final ResponseReader reader;
  private final DecoderFactory decoders;

  /**
   * Reads a non-streamed JSON answer into a completion; throws {@link
   * dev.providergateway.provider.ProviderException.InvalidResponse} for a malformed one. Usually
   * {@code XResponseMapper::response}. Stateless and thread-safe.
   */
  @FunctionalInterface
  public interface ResponseMapper {
    CompletionResponse response(JsonNode json, Origin origin, Map<String, String> notes);
  }

  /**
   * Reads a non-streamed JSON answer into a completion with Jackson's streaming parser, straight
   * from the received bytes (no {@code JsonNode} tree): gets the parser on the body's opening
   * {@code START_OBJECT} and leaves it on the matching {@code END_OBJECT}. Throws {@link
   * dev.providergateway.provider.ProviderException.InvalidResponse} for a malformed answer. Runs on
   * an event loop. Stateless and thread-safe.
   */
  @FunctionalInterface
  public interface ResponseReader {
    CompletionResponse response(JsonParser parser, Origin origin, Map<String, String> notes)
        throws IOException;
  }

  /**
   * Makes a fresh decoder for one streamed answer ({@link SseDecoder}, {@link JsonSseDecoder} and
   * {@link NdjsonDecoder} do the framing). Usually {@code XStreamDecoder::new}.
   */
  @FunctionalInterface
  public interface DecoderFactory {
    StreamDecoder create(Origin origin, Map<String, String> notes);
  }

  /**
   * @param options the validated options (name, headers, timeouts, transport)
   * @param descriptor what this instance says about itself
   * @param ownHeaders the headers the provider itself sends on every request (credential, API
   *     version); an entry in the {@code headers} option may not name one of them
   * @param responses reads non-streamed answers
   * @param decoders makes a decoder per streamed answer
   */
  protected HttpProvider(
      ProviderOptions options,
      ProviderDescriptor descriptor,
      Map<String, String> ownHeaders,
      ResponseMapper responses,
      DecoderFactory decoders) {
    this(options, descriptor, ownHeaders, requireNonNull(responses, "responses"), null, decoders);
  }

  /**
   * As above, with non-streamed answers read by a streaming {@link ResponseReader} instead of a
   * tree mapper: the cheaper path for a provider on the hot path. A request that asks for the raw
   * response still parses the tree once (for its compact text) and reads it through the same {@code
   * reader}.
   */
  protected HttpProvider(
      ProviderOptions options,
      ProviderDescriptor descriptor,
      Map<String, String> ownHeaders,
      ResponseReader reader,
      DecoderFactory decoders) {
    this(options, descriptor, ownHeaders, null, requireNonNull(reader, "reader"), decoders);
  }

  private HttpProvider(
      ProviderOptions options,
      ProviderDescriptor descriptor,
      Map<String, String> ownHeaders,
      ResponseMapper responses,
      ResponseReader reader,
      DecoderFactory decoders) {
    requireNonNull(options, "options");
    this.responses = responses;
    this.reader = reader;
    this.decoders = requireNonNull(decoders, "decoders");
    this.name = options.name();
    this.descriptor = requireNonNull(descriptor, "descriptor");
    Map<String, String> h = new LinkedHashMap<>(options.headers());
    ownHeaders.forEach(
        (header, value) -> {
          for (String configured : options.headers().keySet()) {
            if (configured.equalsIgnoreCase(header)) {
              throw new IllegalArgumentException(
                  "options.headers."
                      + configured
                      + ": conflicts with the "
                      + header.toLowerCase(Locale.ROOT)
                      + " header that type '"
                      + options.type()
                      + "' sends itself (from api_key or its own settings); set one of them");
            }
          }
          h.put(header, value);
        });
    this.headers = Map.copyOf(h);
    // A method reference, not a call: refineError runs per failure, after construction.
    this.http = options.upstreamHttp(this::refineError);
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final ProviderDescriptor descriptor() {
    return descriptor;
  }

  /**
   * Maps the request, POSTs it and parses the answer; failures (mapping errors thrown here,
   * upstream errors through {@link HttpErrors} and {@link #refineError}) complete the future
   * exceptionally or are thrown before anything is sent.
   */
  @Override
  public final CompletableFuture<CompletionResponse> chat(
      ChatRequest request, CallContext context) {
    Origin origin = new Origin(name, request.model(), 0);
    Map<String, String> notes = new LinkedHashMap<>();
    Object body = requestBody(request, false, notes);
    if (reader != null && !request.includeRaw()) {
      return http.postJsonStreaming(
          endpoint(request, false),
          headersFor(request),
          body,
          origin,
          context,
          parser -> reader.response(parser, origin, notes));
    }
    return http.postJson(
        endpoint(request, false),
        headersFor(request),
        body,
        origin,
        context,
        json -> {
          CompletionResponse response =
              reader == null
                  ? responses.response(json, origin, notes)
                  : fromTree(json, origin, notes);
          // Re-serialized from the parsed body: the upstream's JSON, compact. Never logged.
          return request.includeRaw() ? response.withRawResponse(json.toString()) : response;
        });
  }

  /**
   * Maps the request and returns the cold publisher of its streamed answer, decoded by a fresh
   * decoder.
   */
  @Override
  public final Flow.Publisher<StreamEvent> stream(ChatRequest request, CallContext context) {
    Origin origin = new Origin(name, request.model(), 0);
    Map<String, String> notes = new LinkedHashMap<>();
    Object body = requestBody(request, true, notes);
    return http.postStream(
        endpoint(request, true),
        headersFor(request),
        body,
        origin,
        context,
        () -> decoders.create(origin, notes));
  }

  private CompletionResponse fromTree(JsonNode json, Origin origin, Map<String, String> notes) {
    try (JsonParser p = Json.MAPPER.treeAsTokens(json)) {
      p.nextToken();
      return reader.response(p, origin, notes);
    } catch (IOException e) {
      throw new dev.providergateway.provider.ProviderException.InvalidResponse(
          origin, origin.provider() + " returned a body that is not a JSON object", null);
    }
  }

  private Map<String, String> headersFor(ChatRequest request) {
    Map<String, String> extra = requestHeaders(request);
    if (extra.isEmpty()) {
      return headers;
    }
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.putAll(extra);
    return all;
  }

  /**
   * Headers that this one request needs beside the fixed ones (say, a beta flag a feature of the
   * request turns on); they replace a fixed header of the same name. Empty by default. Runs on the
   * calling thread after {@link #requestBody}; must not block.
   */
  protected Map<String, String> requestHeaders(ChatRequest request) {
    return Map.of();
  }

  /**
   * POSTs {@code body} as JSON to {@code uri} with this provider's headers and completes with
   * {@code parse} applied to the JSON answer: for a subclass's other endpoints (embeddings, token
   * counting), with the same deadlines, error mapping and cancellation as {@link #chat}.
   */
  protected final <T> CompletableFuture<T> postJson(
      URI uri,
      Object body,
      Origin origin,
      CallContext context,
      java.util.function.Function<JsonNode, T> parse) {
    return postJson(uri, Map.of(), body, origin, context, parse);
  }

  /** As above, with {@code extraHeaders} added to (and replacing) this provider's own. */
  protected final <T> CompletableFuture<T> postJson(
      URI uri,
      Map<String, String> extraHeaders,
      Object body,
      Origin origin,
      CallContext context,
      java.util.function.Function<JsonNode, T> parse) {
    Map<String, String> all = headers;
    if (!extraHeaders.isEmpty()) {
      all = new LinkedHashMap<>(headers);
      all.putAll(extraHeaders);
    }
    return http.postJson(uri, all, body, origin, context, parse);
  }

  /** Closes the upstream client's idle connections. Subclasses that hold more call this too. */
  @Override
  public void close() {
    http.close();
  }

  /**
   * Where a request goes. Throw {@link dev.providergateway.provider.InvalidRequestException} for a
   * request this wire cannot address (say, a malformed model name).
   */
  protected abstract URI endpoint(ChatRequest request, boolean stream);

  /**
   * The JSON body (a Jackson node, or any value {@link Json} writes) for {@code request}. Throw
   * {@link dev.providergateway.provider.InvalidRequestException} naming the field for a request
   * this wire cannot express; put what the response metadata should say in {@code notes}.
   */
  protected abstract Object requestBody(
      ChatRequest request, boolean stream, Map<String, String> notes);

  /**
   * The provider's own reading of a failure, applied to every failure before it is reported (for
   * example, a 400 whose body really says the key is wrong). Must not throw; returns {@code
   * failure} unchanged by default.
   */
  protected Throwable refineError(Throwable failure) {
    return failure;
  }
}
