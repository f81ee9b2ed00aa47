package dev.providergateway.api;

import static java.util.Objects.requireNonNull;

import dev.providergateway.auth.RequestHooks;
import dev.providergateway.config.LimitsConfig;
import dev.providergateway.dispatch.Dispatcher;
import dev.providergateway.observability.GatewayMetrics;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.StreamChunk;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.resilience.Resilience;
import dev.providergateway.v1.ChatRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * The way into the dispatcher for doors other than the gRPC service (the OpenAI-compatible HTTP
 * door): the same validation ({@link RequestValidator}), the same admission and accounting hooks,
 * the same proto-to-domain mapping and the same {@link Dispatcher} over the same registry and
 * resilience state as {@link ProviderGatewayService}, so a call behaves identically whichever door
 * it came through. Thread-safe; one per config generation.
 */
public final class ChatEntry {
  private final Dispatcher dispatcher;
  private final RequestValidator validator;
  private final EmbedRequests embedRequests;
  private final RequestHooks hooks;
  private final ProviderRegistry registry;
  private final Resilience resilience;

  /** An entry over {@code registry} with the generation's limits, resilience, hooks and metrics. */
  public ChatEntry(
      ProviderRegistry registry,
      LimitsConfig limits,
      Resilience resilience,
      RequestHooks hooks,
      GatewayMetrics metrics) {
    this.dispatcher = new Dispatcher(registry, resilience, metrics);
    this.validator = new RequestValidator(limits);
    this.embedRequests = new EmbedRequests(limits);
    this.hooks = requireNonNull(hooks, "hooks");
    this.registry = registry;
    this.resilience = resilience;
  }

  /**
   * What {@code ListProviders} would show the current caller (its key's providers, models and
   * routes; everything when auth is off). Call with the caller's gRPC context current.
   */
  public dev.providergateway.v1.ListProvidersResponse listing() {
    return ProviderListing.of(
        registry,
        dev.providergateway.auth.Caller.current(),
        false,
        resilience.cooldowns(),
        resilience.clock().instant());
  }

  /** An admitted call: its tracker (report output and usage to it) and its result. */
  public record Admitted<T>(RequestHooks.Tracker tracker, T result) {}

  /**
   * Validates, admits and starts a non-streaming call. Throws a {@link
   * dev.providergateway.provider.GatewayException} to refuse it. Call with the caller's gRPC
   * context current (its {@code Caller} and {@code CallRecord}); cancelling the future cancels the
   * upstream request.
   */
  public Admitted<CompletableFuture<Dispatcher.ChatResult>> chat(
      ChatRequest request, CallContext context) {
    validator.validate(request);
    RequestHooks.Tracker tracker = hooks.begin(request.getProvider(), request.getModel());
    return new Admitted<>(
        tracker,
        AfterAdmission.future(
            tracker.admitted(),
            () -> dispatcher.chat(request.getProvider(), ProtoMapper.toDomain(request), context)));
  }

  /**
   * Validates, admits and starts a streaming call, as {@link #chat}; nothing flows until the
   * publisher is subscribed, and cancelling the subscription cancels the upstream request.
   */
  public Admitted<Flow.Publisher<StreamChunk>> stream(ChatRequest request, CallContext context) {
    validator.validate(request);
    RequestHooks.Tracker tracker = hooks.begin(request.getProvider(), request.getModel());
    return new Admitted<>(
        tracker,
        AfterAdmission.publisher(
            tracker.admitted(),
            () ->
                dispatcher.stream(request.getProvider(), ProtoMapper.toDomain(request), context)));
  }

  /**
   * Validates (as the gRPC {@code Embed} RPC does, with the same {@link EmbedRequests}), admits and
   * starts an embeddings call through {@link Dispatcher#embed}. Throws a {@link
   * dev.providergateway.provider.GatewayException} to refuse it; call with the caller's gRPC
   * context current; cancelling the future cancels the upstream request. The answer's vectors are
   * floats whatever {@code encoding} asked for: the door encodes them.
   */
  public Admitted<CompletableFuture<Dispatcher.Answer<dev.providergateway.provider.EmbedResponse>>>
      embed(dev.providergateway.v1.EmbedRequest request, CallContext context) {
    embedRequests.validate(request);
    RequestHooks.Tracker tracker = hooks.begin(request.getProvider(), request.getModel());
    return new Admitted<>(
        tracker,
        AfterAdmission.future(
            tracker.admitted(),
            () ->
                dispatcher.embed(request.getProvider(), EmbedRequests.toDomain(request), context)));
  }
}
