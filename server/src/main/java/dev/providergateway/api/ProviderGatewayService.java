package dev.providergateway.api;

import static java.util.Objects.requireNonNull;

import dev.providergateway.auth.Caller;
import dev.providergateway.auth.RequestHooks;
import dev.providergateway.config.LimitsConfig;
import dev.providergateway.dispatch.Dispatcher;
import dev.providergateway.observability.GatewayMetrics;
import dev.providergateway.provider.CallContext;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.resilience.Resilience;
import dev.providergateway.structured.SchemaCheck;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import dev.providergateway.v1.CountTokensRequest;
import dev.providergateway.v1.CountTokensResponse;
import dev.providergateway.v1.EmbedRequest;
import dev.providergateway.v1.EmbedResponse;
import dev.providergateway.v1.ListProvidersRequest;
import dev.providergateway.v1.ListProvidersResponse;
import dev.providergateway.v1.ProviderServiceGrpc;
import dev.providergateway.v1.StreamChunk;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.concurrent.Flow;

/**
 * The {@code providergateway.v1.ProviderService} implementation: a thin edge that validates, maps
 * proto to domain, calls the {@link Dispatcher} and maps results and failures back (every failure
 * through {@link ErrorMapper}). Cancellation by the caller, or its deadline passing, cancels the
 * upstream request on every method.
 */
public final class ProviderGatewayService extends ProviderServiceGrpc.ProviderServiceImplBase {
  private final Dispatcher dispatcher;
  private final ProviderRegistry registry;
  private final RequestValidator validator;
  private final EmbedRequests embedRequests;
  private final LimitsConfig limits;
  private final Clock clock;
  private final dev.providergateway.resilience.Cooldowns cooldowns;
  private final RequestHooks hooks;
  // Reported to by the dispatcher's upstream attempts, retries and fallbacks.
  private final GatewayMetrics metrics;
  private final boolean showUpstreamHosts;

  /**
   * A service over {@code registry}'s providers, enforcing {@code limits} and {@code resilience}.
   */
  public ProviderGatewayService(
      ProviderRegistry registry, LimitsConfig limits, Resilience resilience) {
    this(registry, limits, resilience, RequestHooks.NONE, GatewayMetrics.NOOP);
  }

  /**
   * A service that also passes each request through {@code hooks} (admission, usage accounting) and
   * has the dispatcher report upstream work to {@code metrics}.
   */
  public ProviderGatewayService(
      ProviderRegistry registry,
      LimitsConfig limits,
      Resilience resilience,
      RequestHooks hooks,
      GatewayMetrics metrics) {
    this(registry, limits, resilience, hooks, metrics, false);
  }

  /**
   * As above; {@code showUpstreamHosts} keeps the upstream hosts in {@code ListProviders}
   * descriptions ({@code auth.show_upstream_hosts}).
   */
  public ProviderGatewayService(
      ProviderRegistry registry,
      LimitsConfig limits,
      Resilience resilience,
      RequestHooks hooks,
      GatewayMetrics metrics,
      boolean showUpstreamHosts) {
    this.showUpstreamHosts = showUpstreamHosts;
    this.hooks = requireNonNull(hooks, "hooks");
    this.metrics = requireNonNull(metrics, "metrics");
    this.registry = requireNonNull(registry, "registry");
    this.limits = requireNonNull(limits, "limits");
    // The gateway's one clock: the dispatcher judges deadlines on it, and providers (which get the
    // same clock through their settings) bound their upstream waits by it.
    this.clock = resilience.clock();
    this.cooldowns = resilience.cooldowns();
    this.dispatcher = new Dispatcher(registry, resilience, metrics);
    this.validator = new RequestValidator(limits);
    this.embedRequests = new EmbedRequests(limits);
  }

  @Override
  public void chat(ChatRequest request, StreamObserver<CompletionResponse> observer) {
    var call = (ServerCallStreamObserver<CompletionResponse>) observer;
    try {
      RequestHooks.Tracker tracker = admit(request);
      var domain = ProtoMapper.toDomain(request);
      var context = CallContexts.current(clock);
      var result =
          AfterAdmission.future(
              tracker.admitted(), () -> dispatcher.chat(request.getProvider(), domain, context));
      call.setOnCancelHandler(() -> result.cancel(true));
      result.whenComplete(
          (response, failure) -> {
            if (call.isCancelled()) {
              return;
            }
            if (failure == null) {
              // One builder for the mapping, the price and the schema check: no copy of the
              // built response per step.
              CompletionResponse.Builder b = ProtoMapper.toProtoBuilder(response);
              b.setUsage(tracker.priced(b.getProvider(), b.getModel(), b.getUsage()));
              CompletionResponse proto = checked(request, b).build();
              tracker.completed(
                  proto.getProvider(),
                  proto.getModel(),
                  proto.getUsage().getPromptTokens(),
                  proto.getUsage().getCompletionTokens());
              call.onNext(proto);
              call.onCompleted();
            } else {
              call.onError(ErrorMapper.toException(failure));
            }
          });
    } catch (RuntimeException e) {
      call.onError(ErrorMapper.toException(e));
    }
  }

  @Override
  public void stream(ChatRequest request, StreamObserver<StreamChunk> observer) {
    var call = (ServerCallStreamObserver<StreamChunk>) observer;
    try {
      AdmittedStream admitted = startStream(request);
      RequestHooks.Tracker tracker = admitted.tracker();
      // The flag, not the request: a held stream need not keep the request's messages.
      boolean checkSchema = request.getCheckSchema();
      ChunkRelay relay =
          new ChunkRelay(
              new ChunkRelay.Sink() {
                private boolean first = true;

                @Override
                public boolean isReady() {
                  return call.isReady();
                }

                @Override
                public void onChunk(StreamChunk chunk) {
                  StreamChunk tracked = track(tracker, chunk, first);
                  first = false;
                  call.onNext(
                      checkSchema && tracked.getIsFinal()
                          ? tracked.toBuilder()
                              .putMetadata(
                                  SchemaCheck.KEY,
                                  "not_checked: streamed answers are not checked; use Chat")
                              .build()
                          : tracked);
                }

                @Override
                public void onFinished() {
                  call.onCompleted();
                }

                @Override
                public void onFailed(Throwable failure) {
                  call.onError(ErrorMapper.toException(failure));
                }
              });
      call.setOnCancelHandler(relay::cancel);
      call.setOnReadyHandler(relay::onReady);
      admitted.chunks().subscribe(relay);
    } catch (RuntimeException e) {
      call.onError(ErrorMapper.toException(e));
    }
  }

  /**
   * {@code response} with the {@link SchemaCheck} result in its metadata when the request asked for
   * it ({@code check_schema}, which validation ties to a {@code json_schema} format).
   */
  private static CompletionResponse.Builder checked(
      ChatRequest request, CompletionResponse.Builder response) {
    if (!request.getCheckSchema()) {
      return response;
    }
    return response.putMetadata(
        SchemaCheck.KEY,
        SchemaCheck.check(
            response.getContent(),
            StructValues.toMap(request.getResponseFormat().getJsonSchema().getSchema())));
  }

  /** Validates {@code request} and has the hooks admit it; throws to refuse it. */
  private RequestHooks.Tracker admit(ChatRequest request) {
    validator.validate(request);
    return hooks.begin(request.getProvider(), request.getModel());
  }

  /**
   * A streamed request that was admitted and dispatched; nothing flows until {@code chunks} is
   * subscribed.
   */
  record AdmittedStream(
      RequestHooks.Tracker tracker,
      Flow.Publisher<dev.providergateway.provider.StreamChunk> chunks) {}

  /**
   * Validates, admits and dispatches a streamed request: a {@code Stream} call or one {@code
   * Converse} turn. Throws to refuse it. Called on the gRPC thread with the call's context current.
   */
  private AdmittedStream startStream(ChatRequest request) {
    RequestHooks.Tracker tracker = admit(request);
    var domain = ProtoMapper.toDomain(request);
    var context = CallContexts.current(clock);
    return new AdmittedStream(
        tracker,
        AfterAdmission.publisher(
            tracker.admitted(), () -> dispatcher.stream(request.getProvider(), domain, context)));
  }

  @Override
  public void embed(EmbedRequest request, StreamObserver<EmbedResponse> observer) {
    var call = (ServerCallStreamObserver<EmbedResponse>) observer;
    try {
      embedRequests.validate(request);
      RequestHooks.Tracker tracker = hooks.begin(request.getProvider(), request.getModel());
      CallContext context = CallContexts.current(clock);
      var result =
          AfterAdmission.future(
              tracker.admitted(),
              () ->
                  dispatcher.embed(
                      request.getProvider(), EmbedRequests.toDomain(request), context));
      call.setOnCancelHandler(() -> result.cancel(true));
      result.whenComplete(
          (answer, failure) -> {
            if (call.isCancelled()) {
              return;
            }
            if (failure == null) {
              EmbedResponse mapped = EmbedRequests.toProto(answer, request.getEncoding());
              EmbedResponse proto =
                  mapped.toBuilder()
                      .setUsage(
                          tracker.priced(
                              mapped.getProvider(), mapped.getModel(), mapped.getUsage()))
                      .build();
              tracker.completed(
                  proto.getProvider(), proto.getModel(), proto.getUsage().getPromptTokens(), 0);
              call.onNext(proto);
              call.onCompleted();
            } else {
              call.onError(ErrorMapper.toException(failure));
            }
          });
    } catch (RuntimeException e) {
      call.onError(ErrorMapper.toException(e));
    }
  }

  @Override
  public void countTokens(
      CountTokensRequest request, StreamObserver<CountTokensResponse> observer) {
    var call = (ServerCallStreamObserver<CountTokensResponse>) observer;
    try {
      ChatRequest chat = request.getRequest();
      RequestHooks.Tracker tracker = admit(chat);
      CallContext context = CallContexts.current(clock);
      var result =
          AfterAdmission.future(
              tracker.admitted(),
              () ->
                  dispatcher.countTokens(chat.getProvider(), ProtoMapper.toDomain(chat), context));
      call.setOnCancelHandler(() -> result.cancel(true));
      result.whenComplete(
          (answer, failure) -> {
            if (call.isCancelled()) {
              return;
            }
            if (failure == null) {
              // Counting uses no model tokens: the hooks see a call with zero usage.
              tracker.completed(answer.provider(), answer.model(), 0, 0);
              call.onNext(
                  CountTokensResponse.newBuilder()
                      .setInputTokens(answer.value().inputTokens())
                      .setEstimated(answer.value().estimated())
                      .setProvider(answer.provider())
                      .setModel(answer.model())
                      .build());
              call.onCompleted();
            } else {
              call.onError(ErrorMapper.toException(failure));
            }
          });
    } catch (RuntimeException e) {
      call.onError(ErrorMapper.toException(e));
    }
  }

  @Override
  public StreamObserver<ConverseRequest> converse(StreamObserver<ConverseResponse> observer) {
    return new ConverseSession(
        (ServerCallStreamObserver<ConverseResponse>) observer, this::startStream, limits);
  }

  @Override
  public void listProviders(
      ListProvidersRequest request, StreamObserver<ListProvidersResponse> observer) {
    observer.onNext(
        ProviderListing.of(
            registry, Caller.current(), showUpstreamHosts, cooldowns, clock.instant()));
    observer.onCompleted();
  }

  /**
   * Reports a streamed chunk to the call's tracker: its first output, and its usage at the end.
   * Returns the chunk to send: the final one with its usage priced.
   */
  static StreamChunk track(RequestHooks.Tracker tracker, StreamChunk chunk, boolean first) {
    if (first) {
      tracker.firstOutput();
    }
    if (!chunk.getIsFinal()) {
      return chunk;
    }
    tracker.completed(
        chunk.getProvider(),
        chunk.getModel(),
        chunk.getUsage().getPromptTokens(),
        chunk.getUsage().getCompletionTokens());
    return chunk.toBuilder()
        .setUsage(tracker.priced(chunk.getProvider(), chunk.getModel(), chunk.getUsage()))
        .build();
  }
}
