package dev.providergateway.api;

import static java.util.Objects.requireNonNull;

import dev.providergateway.auth.RequestHooks;
import dev.providergateway.config.LimitsConfig;
import dev.providergateway.dispatch.Dispatcher;
import dev.providergateway.observability.GatewayMetrics;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderException;
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
   * Refuses, before anything is sent upstream, a {@code model} of the form {@code x/y} that names
   * no registered provider {@code x}, no route and no model the default provider advertises: the
   * OpenAI door's callers write {@code provider/model}, and such a name is almost always a typo or
   * a provider that is not configured here. Plain model ids go to the default provider, whose
   * upstream decides.
   *
   * @throws ProviderException.ModelNotFound naming the model
   */
  public void checkModelPlaceable(String model) {
    int slash = model.indexOf('/');
    if (slash <= 0 || registry.routes().containsKey(model)) {
      return;
    }
    if (registry.find(model.substring(0, slash)).isPresent()) {
      return;
    }
    var fallback = registry.find(registry.defaultProvider());
    if (fallback.isPresent()) {
      ProviderDescriptor d = fallback.get().provider().descriptor();
      if (d.defaultModel().equals(model)
          || d.models().stream().anyMatch(m -> m.id().equals(model))) {
        return;
      }
    }
    throw new ProviderException.ModelNotFound(
        new ProviderException.Origin("", model, 0),
        "model '"
            + model
            + "' is not served here: '"
            + model.substring(0, slash)
            + "' is not a registered provider and no route has that name;"
            + " use provider/model, a route alias or a model of the default provider"
            + " (GET /v1/models lists them)");
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
