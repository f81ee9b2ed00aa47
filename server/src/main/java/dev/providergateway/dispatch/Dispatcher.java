package dev.providergateway.dispatch;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.StreamChunk;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.provider.tools.ToolCallTextFilter;
import dev.providergateway.resilience.ProviderBreaker;
import dev.providergateway.toolcalling.FallbackToolCalling;
import dev.providergateway.toolcalling.ToolCallingCapabilities;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;

/**
 * The one place where a validated request meets a provider. It resolves the route, takes the
 * provider's circuit breaker permit, calls the provider and settles the permit on every path
 * (success, failure, caller cancel). Retries, fallbacks, bulkheads and watchdogs belong here too,
 * around the same call sites, so the gRPC edge and the providers stay free of policy.
 *
 * <p>Thread-safe; one instance serves every call.
 */
public final class Dispatcher {
  private final ProviderRegistry registry;
  private final RouteResolver resolver;

  /** A dispatcher over the providers and routes of {@code registry}. */
  public Dispatcher(ProviderRegistry registry) {
    this.registry = requireNonNull(registry, "registry");
    this.resolver = new RouteResolver(registry);
  }

  /** A completed {@code chat()}: the provider that answered and its response. */
  public record ChatResult(String provider, CompletionResponse response) {}

  /**
   * Starts a non-streaming call. Resolution failures and an open circuit are thrown at once;
   * upstream failures complete the future exceptionally. Cancelling the returned future cancels
   * the upstream request.
   *
   * @param provider the request's {@code provider} field ("" when unset)
   * @param request the request, whose {@code model} is the request's raw model field
   */
  public CompletableFuture<ChatResult> chat(String provider, ChatRequest request, CallContext context) {
    Target target = resolver.resolve(provider, request.model()).get(0);
    ChatRequest resolved = request.toBuilder().model(target.model()).build();
    boolean fallback = needsFallback(target, resolved);
    ProviderBreaker.Permit permit = target.provider().breaker().acquire(target.model());
    CompletableFuture<CompletionResponse> upstream;
    try {
      ChatRequest sent = fallback ? FallbackToolCalling.rewrite(resolved, toolCalling(target)) : resolved;
      CompletableFuture<CompletionResponse> call = target.provider().provider().chat(sent, context);
      upstream = fallback ? parsed(call, resolved) : call;
    } catch (RuntimeException e) {
      permit.failure(e);
      throw e;
    }
    CompletableFuture<ChatResult> result = new CompletableFuture<>();
    upstream.whenComplete(
        (response, failure) -> {
          if (failure == null) {
            permit.success();
            result.complete(new ChatResult(target.provider().name(), response));
          } else {
            Throwable cause = unwrap(failure);
            if (cause instanceof CancellationException) {
              permit.release();
            } else {
              permit.failure(cause);
            }
            result.completeExceptionally(cause);
          }
        });
    result.whenComplete(
        (r, failure) -> {
          if (failure instanceof CancellationException) {
            upstream.cancel(true);
            permit.release();
          }
        });
    return result;
  }

  /**
   * Starts a streaming call and returns its chunks, ending in exactly one final chunk or an
   * error. Resolution failures and an open circuit are thrown at once. Cancelling the
   * subscription cancels the upstream request.
   */
  public Flow.Publisher<StreamChunk> stream(String provider, ChatRequest request, CallContext context) {
    Target target = resolver.resolve(provider, request.model()).get(0);
    ChatRequest resolved = request.toBuilder().model(target.model()).build();
    boolean fallback = needsFallback(target, resolved);
    ProviderBreaker.Permit permit = target.provider().breaker().acquire(target.model());
    Flow.Publisher<StreamEvent> events;
    try {
      ChatRequest sent = fallback ? FallbackToolCalling.rewrite(resolved, toolCalling(target)) : resolved;
      events = target.provider().provider().stream(sent, context);
    } catch (RuntimeException e) {
      permit.failure(e);
      throw e;
    }
    ToolCallTextFilter filter = fallback ? new ToolCallTextFilter(FallbackToolCalling.toolNames(resolved)) : null;
    return StreamAssembler.assemble(events, target.provider().name(), target.model(), permit, filter);
  }

  private ToolCallingCapabilities toolCalling(Target target) {
    return registry.toolCalling(target.provider(), target.model());
  }

  /** True when the request has tools the model cannot take natively but can get through text. */
  private boolean needsFallback(Target target, ChatRequest request) {
    return !request.tools().isEmpty() && toolCalling(target).needsFallback();
  }

  private static CompletableFuture<CompletionResponse> parsed(CompletableFuture<CompletionResponse> call, ChatRequest request) {
    CompletableFuture<CompletionResponse> result = call.thenApply(r -> FallbackToolCalling.parse(r, request));
    result.whenComplete((r, e) -> {
      if (result.isCancelled()) {
        call.cancel(true);
      }
    });
    return result;
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
