package dev.providergateway.client;

import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.CountTokensRequest;
import dev.providergateway.v1.CountTokensResponse;
import dev.providergateway.v1.EmbedRequest;
import dev.providergateway.v1.EmbedResponse;
import dev.providergateway.v1.ListProvidersRequest;
import dev.providergateway.v1.ListProvidersResponse;
import dev.providergateway.v1.ProviderServiceGrpc;
import dev.providergateway.v1.StreamChunk;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A client for provider-gateway's {@code ProviderService}: one typed API in front of every
 * registered LLM provider.
 *
 * <pre>{@code
 * ManagedChannel channel = Grpc.newChannelBuilder("localhost:50051",
 *     InsecureChannelCredentials.create()).build();
 * GatewayClient client = GatewayClient.create(channel).withDeadline(Duration.ofSeconds(30));
 * CompletionResponse reply = client.chat(ChatRequests.of("echo", "", "Hello!").build());
 * System.out.println(reply.getContent());
 * channel.shutdown();
 * }</pre>
 *
 * <p>Threading: instances are immutable and thread-safe; share one across the application. Each
 * method starts an independent RPC. {@link #chat} and {@link #listProviders} block the calling
 * thread until the reply arrives.
 *
 * <p>Lifecycle: the client does not own the {@link Channel} and has nothing to close itself;
 * whoever created the channel shuts it down, after closing the {@link ChunkStream}s and {@link
 * ConverseSession}s started here (which the caller owns).
 *
 * <p>Errors: every method, and every iterator it returns, reports failures as {@link
 * GatewayException}.
 */
public final class GatewayClient {
  private final Channel channel;
  private final Duration deadline;

  private GatewayClient(Channel channel, Duration deadline) {
    this.channel = channel;
    this.deadline = deadline;
  }

  /**
   * Creates a client without deadlines over the given channel, for example a {@code ManagedChannel}
   * or, in tests, an in-process channel.
   *
   * @param channel the channel to call over; the caller keeps ownership of it
   * @return the client
   */
  public static GatewayClient create(Channel channel) {
    return new GatewayClient(Objects.requireNonNull(channel, "channel"), null);
  }

  /**
   * Returns a client whose calls each get a deadline of {@code timeout} from the moment they start.
   * For {@link #stream} and {@link #converse} the deadline bounds the whole call, not a single
   * chunk: give long conversations a generous one, or none.
   *
   * @param timeout positive time allowed for each call
   * @return a new client sharing this one's channel
   */
  public GatewayClient withDeadline(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    return new GatewayClient(channel, timeout);
  }

  /** Returns a client whose calls have no deadline, sharing this one's channel. */
  public GatewayClient withoutDeadline() {
    return new GatewayClient(channel, null);
  }

  /** Returns the time allowed for each call, if this client sets a deadline. */
  public Optional<Duration> deadline() {
    return Optional.ofNullable(deadline);
  }

  /**
   * Sends a conversation and waits for the whole completion ({@code Chat}).
   *
   * @param request the conversation and its parameters
   * @return the completion
   * @throws GatewayException if the call fails
   */
  public CompletionResponse chat(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    try {
      return applyDeadline(ProviderServiceGrpc.newBlockingStub(channel)).chat(request);
    } catch (StatusRuntimeException e) {
      throw GatewayException.from(e);
    }
  }

  /**
   * Sends a conversation and streams the completion ({@code Stream}). The call starts at once; the
   * returned stream yields chunks as they arrive and must be closed by the caller.
   *
   * @param request the conversation and its parameters
   * @return the chunks, ending after the one whose {@code is_final} is true
   * @throws GatewayException if the call cannot be started; later failures are thrown by the
   *     returned stream
   */
  public ChunkStream stream(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    // The blocking iterator has no cancel method, but a call is cancelled with the context it
    // was started in: start it inside a context that the ChunkStream owns.
    Context.CancellableContext context = Context.current().withCancellation();
    Context previous = context.attach();
    try {
      Iterator<StreamChunk> responses =
          applyDeadline(ProviderServiceGrpc.newBlockingStub(channel)).stream(request);
      return new ChunkStream(responses, context);
    } catch (StatusRuntimeException e) {
      context.close();
      throw GatewayException.from(e);
    } catch (RuntimeException | Error e) {
      context.close();
      throw e;
    } finally {
      context.detach(previous);
    }
  }

  /**
   * Opens a {@code Converse} session: many turns over one bidirectional stream, with optional
   * server-kept history. The caller owns the session and must close or cancel it.
   *
   * @return the open session
   */
  public ConverseSession converse() {
    return ConverseSession.start(applyDeadline(ProviderServiceGrpc.newStub(channel)));
  }

  /**
   * Lists the registered providers, their models and circuit states, and the route aliases.
   *
   * @return the providers and routes
   * @throws GatewayException if the call fails
   */
  public ListProvidersResponse listProviders() {
    try {
      return applyDeadline(ProviderServiceGrpc.newBlockingStub(channel))
          .listProviders(ListProvidersRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      throw GatewayException.from(e);
    }
  }

  /**
   * Embeds texts ({@code Embed}): one {@code Embedding} per input, in order, through the same
   * routes, breakers and limits as {@link #chat}. Blocks until the reply arrives.
   *
   * @param request the inputs and the embedding model (a model id, route alias or {@code
   *     provider/model}), optionally {@code dimensions} and {@code encoding}
   * @return the vectors, the provider and model that answered, and the usage
   * @throws GatewayException if the call fails
   */
  public EmbedResponse embed(EmbedRequest request) {
    try {
      return applyDeadline(ProviderServiceGrpc.newBlockingStub(channel)).embed(request);
    } catch (StatusRuntimeException e) {
      throw GatewayException.from(e);
    }
  }

  /**
   * Counts the input tokens {@code request} would use ({@code CountTokens}): the provider's own
   * count where it has one (Anthropic, Gemini), otherwise the gateway's local estimate, marked
   * {@code estimated}. Blocks until the reply arrives.
   *
   * @throws GatewayException if the call fails
   */
  public CountTokensResponse countTokens(ChatRequest request) {
    try {
      return applyDeadline(ProviderServiceGrpc.newBlockingStub(channel))
          .countTokens(CountTokensRequest.newBuilder().setRequest(request).build());
    } catch (StatusRuntimeException e) {
      throw GatewayException.from(e);
    }
  }

  private <S extends AbstractStub<S>> S applyDeadline(S stub) {
    // The deadline is absolute, so it is fixed here, per call, rather than on a shared stub.
    return deadline == null
        ? stub
        : stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public String toString() {
    return "GatewayClient{channel=" + channel.authority() + ", deadline=" + deadline + "}";
  }
}
