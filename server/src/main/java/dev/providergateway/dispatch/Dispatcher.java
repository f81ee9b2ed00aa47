package dev.providergateway.dispatch;

import static java.util.Objects.requireNonNull;

import dev.providergateway.observability.GatewayMetrics;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.EmbedRequest;
import dev.providergateway.provider.EmbedResponse;
import dev.providergateway.provider.StreamChunk;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.TokenCount;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.resilience.Bulkheads;
import dev.providergateway.resilience.Resilience;
import dev.providergateway.toolcalling.FallbackToolCalling;
import dev.providergateway.toolcalling.ToolCallTextFilter;
import dev.providergateway.toolcalling.ToolCallingCapabilities;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * The one place where a validated request meets a provider, and where all call policy lives, so the
 * gRPC edge and the providers stay free of it: route resolution (fallback targets), the gateway and
 * provider concurrency limits, rate-limit cooldowns, each provider's circuit breaker, retries with
 * backoff under a gateway-wide budget, failover before any output, deadlines, stream watchdogs,
 * tool calling through text for models without it, and cancellation that reaches the upstream
 * request on every path.
 *
 * <p>Thread-safe; one instance serves every call.
 */
public final class Dispatcher {
  private final ProviderRegistry registry;
  private final RouteResolver resolver;
  private final Resilience resilience;
  private final GatewayMetrics metrics;

  /** A dispatcher over the providers and routes of {@code registry}, with {@code resilience}. */
  public Dispatcher(ProviderRegistry registry, Resilience resilience) {
    this(registry, resilience, GatewayMetrics.NOOP);
  }

  /** As above, reporting upstream attempts, retries and fallbacks to {@code metrics}. */
  public Dispatcher(ProviderRegistry registry, Resilience resilience, GatewayMetrics metrics) {
    this.registry = requireNonNull(registry, "registry");
    this.resolver = new RouteResolver(registry);
    this.resilience = requireNonNull(resilience, "resilience");
    this.metrics = requireNonNull(metrics, "metrics");
  }

  /** A completed {@code chat()}: the provider that answered and its response. */
  public record ChatResult(String provider, CompletionResponse response) {}

  /**
   * Starts a non-streaming call. Resolution failures and a full gateway are thrown at once;
   * everything else completes the future exceptionally. Cancelling the returned future cancels the
   * upstream request.
   *
   * @param provider the request's {@code provider} field ("" when unset)
   * @param request the request, whose {@code model} is the request's raw model field
   */
  public CompletableFuture<ChatResult> chat(
      String provider, ChatRequest request, CallContext context) {
    RouteResolver.Resolved targets = resolver.resolve(provider, request.model());
    Bulkheads.Slot slot = resilience.bulkheads().acquireCall();
    resilience.budget().recordCall();
    UnaryStrategy unary = new UnaryStrategy(context, this::startChat);
    var runner =
        new AttemptRunner<>(
            new AttemptPlan(targets, context, resilience), request, metrics, unary, slot::release);
    unary.cancelWith(runner);
    runner.start();
    return unary.result;
  }

  /**
   * Starts a streaming call and returns its chunks, ending in exactly one final chunk or an error.
   * Resolution failures and a full gateway are thrown at once. Cancelling the subscription cancels
   * the upstream request.
   */
  public Flow.Publisher<StreamChunk> stream(
      String provider, ChatRequest request, CallContext context) {
    RouteResolver.Resolved targets = resolver.resolve(provider, request.model());
    Bulkheads.Slot slot = resilience.bulkheads().acquireCall();
    resilience.budget().recordCall();
    StreamStrategy streaming = new StreamStrategy(context, this::startStream);
    return streaming.publisher(
        new AttemptRunner<>(
            new AttemptPlan(targets, context, resilience),
            request,
            metrics,
            streaming,
            slot::release));
  }

  /** A completed call other than chat: the provider and model that answered, and the answer. */
  public record Answer<T>(String provider, String model, T value) {}

  /**
   * Starts an embeddings call through the same policy as {@link #chat} (routes, limits, cooldowns,
   * breakers, retries, deadline): the clean entry point for every front door (gRPC {@code Embed},
   * an HTTP {@code /v1/embeddings}). Resolution failures and a full gateway are thrown at once;
   * everything else completes the future exceptionally. Cancelling it cancels the upstream request.
   *
   * @param provider the request's {@code provider} field ("" when unset)
   * @param request the request, whose {@code model} is the request's raw model field
   */
  public CompletableFuture<Answer<EmbedResponse>> embed(
      String provider, EmbedRequest request, CallContext context) {
    return unary(
        provider,
        request.model(),
        context,
        (target, model) -> target.upstream().embed(request.withModel(model), context),
        (answer, attempts) ->
            answer.withMetadata(AttemptRunner.withAttempts(answer.metadata(), attempts)),
        new FutureStrategy.Metering<>(
            EmbedResponse::usage,
            UsageEstimate.of(
                UsageEstimate.tokens(request.inputs().stream().mapToLong(String::length).sum()),
                0)));
  }

  /**
   * Counts the input tokens of {@code request} at the provider it resolves to, through the same
   * policy as {@link #chat}. Providers without a counting endpoint answer with the local estimate
   * and make no upstream call.
   */
  public CompletableFuture<Answer<TokenCount>> countTokens(
      String provider, ChatRequest request, CallContext context) {
    return unary(
        provider,
        request.model(),
        context,
        (target, model) ->
            target.upstream().countTokens(request.toBuilder().model(model).build(), context),
        (answer, attempts) -> answer,
        FutureStrategy.Metering.free());
  }

  private <T> CompletableFuture<Answer<T>> unary(
      String provider,
      String model,
      CallContext context,
      FutureStrategy.Starter<T> starter,
      FutureStrategy.Finisher<T> finisher,
      FutureStrategy.Metering<T> metering) {
    RouteResolver.Resolved targets = resolver.resolve(provider, model);
    Bulkheads.Slot slot = resilience.bulkheads().acquireCall();
    resilience.budget().recordCall();
    FutureStrategy<T> strategy = new FutureStrategy<>(starter, finisher, metering);
    var runner =
        new AttemptRunner<>(
            new AttemptPlan(targets, context, resilience),
            // Carries only the model: the runner sets each attempt's target model on it.
            ChatRequest.builder(model).build(),
            metrics,
            strategy,
            slot::release);
    strategy.cancelWith(runner);
    runner.start();
    return strategy.result;
  }

  private CompletableFuture<CompletionResponse> startChat(
      Target target, ChatRequest request, CallContext context) {
    if (!needsFallback(target, request)) {
      return target.upstream().chat(request, context);
    }
    CompletableFuture<CompletionResponse> call =
        target.upstream().chat(FallbackToolCalling.rewrite(request, toolCalling(target)), context);
    CompletableFuture<CompletionResponse> result =
        call.thenApply(r -> FallbackToolCalling.parse(r, request));
    result.whenComplete(
        (r, e) -> {
          if (result.isCancelled()) {
            call.cancel(true);
          }
        });
    return result;
  }

  private Flow.Publisher<StreamChunk> startStream(
      Target target,
      ChatRequest request,
      CallContext context,
      StreamAssembler.Consumption consumption) {
    boolean fallback = needsFallback(target, request);
    ChatRequest sent =
        fallback ? FallbackToolCalling.rewrite(request, toolCalling(target)) : request;
    Flow.Publisher<StreamEvent> events = target.upstream().stream(sent, context);
    ToolCallTextFilter filter =
        fallback ? new ToolCallTextFilter(FallbackToolCalling.toolNames(request)) : null;
    var config = resilience.config();
    var watchdog =
        new StreamAssembler.Watchdog(
            resilience.scheduler(),
            resilience.clock(),
            config.firstTokenTimeout(),
            config.idleTimeout());
    return StreamAssembler.assemble(
        events,
        target.provider().name(),
        target.model(),
        new StreamAssembler.Options(
            filter, watchdog, new StreamAssembler.Meter(UsageEstimate.prompt(sent), consumption)));
  }

  private ToolCallingCapabilities toolCalling(Target target) {
    return registry.toolCalling(target.provider(), target.model());
  }

  /** True when the request has tools the model cannot take natively but can get through text. */
  private boolean needsFallback(Target target, ChatRequest request) {
    return !request.tools().isEmpty() && toolCalling(target).needsFallback();
  }
}
