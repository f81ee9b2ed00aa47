package dev.providergateway.provider;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * An LLM provider behind the gateway, mirroring Victor's {@code BaseProvider}: {@code name}, {@code
 * chat()}, {@code stream()}, {@code close()} and the capability queries (answered by {@link
 * #descriptor()}).
 *
 * <p>Providers contain no policy: the gateway validates requests, resolves routes and wraps every
 * call in the provider's circuit breaker, deadline and cancellation. A provider only translates
 * between the domain records and its upstream wire format, and reports upstream failures as the
 * matching {@link ProviderException} subclass.
 *
 * <p>Threading: instances are shared by all calls and must be thread-safe. Neither method may block
 * the calling thread on upstream I/O.
 *
 * <p>Lifecycle: created by a {@link ProviderFactory}, owned by the gateway's registry, which calls
 * {@link #close()} once at shutdown after in-flight calls have drained.
 */
public interface Provider extends AutoCloseable {

  /** The registry name of this instance (from its {@link ProviderSettings}). */
  String name();

  /** What this provider is and supports; cheap, called for every {@code ListProviders}. */
  ProviderDescriptor descriptor();

  /**
   * Starts one non-streaming completion.
   *
   * <p>The returned future completes with the response, or exceptionally with a {@link
   * ProviderException}; it may complete on any thread. The gateway cancels it (with {@code
   * cancel(true)}) when the caller cancels or its deadline passes: cancelling must abort the
   * upstream request and release its connection.
   */
  CompletableFuture<CompletionResponse> chat(ChatRequest request, CallContext context);

  /**
   * Returns a cold publisher of one streaming completion: nothing is sent upstream until it is
   * subscribed, and it accepts one subscriber.
   *
   * <p>The publisher follows the {@link Flow} rules: it signals serially, never more events than
   * requested (so the upstream is read only as fast as the caller reads), then {@code onComplete}
   * when the upstream response ended cleanly or {@code onError} with a {@link ProviderException}
   * when it did not. It never emits a final chunk: the gateway assembles that from the events.
   * {@code Subscription.cancel()} must abort the upstream request and release its connection.
   * {@link EventPublisher} implements these rules for providers.
   */
  Flow.Publisher<StreamEvent> stream(ChatRequest request, CallContext context);

  /**
   * True when this provider serves {@link #embed}; {@code ListProviders} reports it. False by
   * default.
   */
  default boolean servesEmbeddings() {
    return false;
  }

  /**
   * Starts one embeddings call: one vector per input, in order. The future follows the rules of
   * {@link #chat}: it completes on any thread, exceptionally with a {@link ProviderException}, and
   * cancelling it aborts the upstream request.
   *
   * <p>By default the future fails with an {@link InvalidRequestException} naming the provider, so
   * existing providers keep compiling and callers get a clear INVALID_ARGUMENT.
   */
  default CompletableFuture<EmbedResponse> embed(EmbedRequest request, CallContext context) {
    return CompletableFuture.failedFuture(
        InvalidRequestException.of(
            "provider",
            "provider '"
                + name()
                + "' (type '"
                + descriptor().wireType()
                + "') serves no embeddings"));
  }

  /**
   * Counts the input tokens {@code request} would use. By default answers at once with the local
   * {@link TokenEstimate} (marked estimated); providers with a native counting endpoint override
   * it, under the same future rules as {@link #chat}.
   */
  default CompletableFuture<TokenCount> countTokens(ChatRequest request, CallContext context) {
    return CompletableFuture.completedFuture(TokenEstimate.of(request));
  }

  /** Releases the provider's resources (HTTP clients, threads). Called once, at shutdown. */
  @Override
  void close();
}
