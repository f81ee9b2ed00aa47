package dev.providergateway.openai;

import dev.providergateway.api.ChatEntry;
import dev.providergateway.api.ErrorMapper;
import dev.providergateway.auth.Caller;
import dev.providergateway.dispatch.Dispatcher;
import dev.providergateway.observability.DoorCall;
import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.GatewayAuthException;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.StreamChunk;
import io.grpc.Context;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * One HTTP connection of the OpenAI-compatible door. Requests are answered one at a time, in order
 * (pipelined ones wait, at most {@value #MAX_QUEUED}); the routes are a switch on method and path:
 * {@code POST /v1/chat/completions}, {@code POST /v1/embeddings}, {@code GET /v1/models} and {@code
 * GET /healthz}. Only whole, well-formed requests reach it: {@link BoundedAggregator} refuses the
 * others. An embeddings call is read by {@link EmbeddingsRequest} into the gRPC {@code
 * EmbedRequest} and goes through {@link ChatEntry#embed} (the gRPC {@code Embed} RPC's validation
 * and the same dispatcher entry), its vectors written by {@link ChatCompletionJson#embeddings}.
 *
 * <p>A chat call: the body is read into {@link ChatCompletionRequest} (a wrong type is a 400 naming
 * the field), the caller's {@code Authorization: Bearer} key is checked against the generation's
 * keys, and the request goes through {@link ChatEntry} (the gRPC door's validation, admission and
 * dispatcher) inside a gRPC {@link Context} holding the caller and the call's record. Failures go
 * through {@link ErrorMapper} and then {@link OpenAiErrors}. A stream's headers are sent with its
 * first chunk, so a failure before any output (after the dispatcher's retries) is still a plain
 * HTTP error; afterwards it is an SSE {@code error} event and the connection closes without {@code
 * [DONE]}. Chunks are requested one at a time while the channel is writable, so a slow reader slows
 * the upstream read. A closed connection cancels the upstream request at once.
 *
 * <p>This class is the HTTP plumbing (routing, auth, the pipelined queue, drain, errors); a running
 * call's answer is written by {@link UnaryCall} (one JSON body) or {@link StreamCall} (SSE), the
 * JSON by {@link DoorJson} and {@link ChatCompletionJson}.
 *
 * <p>All state is touched on the channel's event loop; upstream signals hop onto it.
 */
final class DoorHandler extends ChannelInboundHandlerAdapter {
  private static final System.Logger LOG = System.getLogger(DoorHandler.class.getName());
  static final int MAX_QUEUED = 16;
  static final String CHAT_METHOD = "http.ChatCompletions";
  static final String MODELS_METHOD = "http.Models";
  static final String EMBEDDINGS_METHOD = "http.Embeddings";

  private final OpenAiDoor.Settings settings;
  private final DoorDrain drain;
  private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private InFlight current;

  DoorHandler(OpenAiDoor.Settings settings, DoorDrain drain) {
    this.settings = settings;
    this.drain = drain;
  }

  /** This connection's context (set when the handler is added). */
  ChannelHandlerContext ctx() {
    return ctx;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (current != null) {
      if (queued.size() >= MAX_QUEUED) {
        request.release();
        ctx.close();
        return;
      }
      queued.add(request);
      return;
    }
    serve(request);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    InFlight running = current;
    current = null;
    if (running != null) {
      running.disconnected();
    }
    FullHttpRequest r;
    while ((r = queued.poll()) != null) {
      r.release();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && current != null) {
      current.writable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && current == null) {
      ctx.close();
      return;
    }
    if (evt == DoorDrain.CANCEL) {
      // The shutdown grace period is over: cancel what still runs, then the connection closes.
      InFlight running = current;
      current = null;
      if (running != null) {
        running.cancelledAtShutdown();
      }
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset connection or a malformed HTTP message: nothing to answer on.
    LOG.log(System.Logger.Level.DEBUG, "HTTP connection failed", cause);
    ctx.close();
  }

  /** The answer to one request is complete: serve the next pipelined one, if any. */
  void finished(InFlight done) {
    if (current != done) {
      return;
    }
    current = null;
    FullHttpRequest next = queued.poll();
    if (next != null) {
      serve(next);
    }
  }

  private void serve(FullHttpRequest request) {
    try {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (drain.draining()) {
        send(shuttingDown(), false);
        return;
      }
      String uri = request.uri();
      int q = uri.indexOf('?');
      String path = q < 0 ? uri : uri.substring(0, q);
      HttpMethod method = request.method();
      switch (path) {
        case "/v1/chat/completions", "/chat/completions" -> {
          if (method.equals(HttpMethod.POST)) {
            chat(request, keepAlive);
          } else {
            methodNotAllowed(request, "POST", keepAlive);
          }
        }
        case "/v1/embeddings", "/embeddings" -> {
          if (method.equals(HttpMethod.POST)) {
            embeddings(request, keepAlive);
          } else {
            methodNotAllowed(request, "POST", keepAlive);
          }
        }
        case "/v1/models", "/models" -> {
          if (method.equals(HttpMethod.GET)) {
            models(request, keepAlive);
          } else {
            methodNotAllowed(request, "GET", keepAlive);
          }
        }
        case "/healthz", "/health" -> {
          if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
            health(request, keepAlive);
          } else {
            methodNotAllowed(request, "GET", keepAlive);
          }
        }
        default ->
            respondLocal(
                request,
                404,
                "unknown_url",
                "no route for "
                    + method.name()
                    + " "
                    + DoorJson.bounded(path)
                    + "; this gateway serves POST /v1/chat/completions, POST /v1/embeddings,"
                    + " GET /v1/models and GET /healthz",
                keepAlive);
      }
    } finally {
      request.release();
    }
  }

  private void methodNotAllowed(FullHttpRequest request, String allowed, boolean keepAlive) {
    FullHttpResponse response =
        DoorJson.errorResponse(
            ctx.alloc(),
            OpenAiErrors.local(
                405,
                "method_not_allowed",
                request.method().name() + " is not allowed here, expected " + allowed),
            null);
    response.headers().set(HttpHeaderNames.ALLOW, allowed);
    send(response, keepAlive);
  }

  private void respondLocal(
      FullHttpRequest request, int status, String code, String message, boolean keepAlive) {
    send(
        DoorJson.errorResponse(ctx.alloc(), OpenAiErrors.local(status, code, message), null),
        keepAlive);
  }

  private void health(FullHttpRequest request, boolean keepAlive) {
    boolean serving = settings.serving().get();
    byte[] body =
        (serving ? "{\"status\":\"ok\"}" : "{\"status\":\"shutting_down\"}")
            .getBytes(StandardCharsets.US_ASCII);
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            serving ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
            Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    send(response, keepAlive);
  }

  // ---- /v1/models

  private void models(FullHttpRequest request, boolean keepAlive) {
    DoorGeneration generation = settings.generations().get();
    DoorCall call = start(request, MODELS_METHOD, false);
    Context context = call.attachTo(Context.ROOT);
    try {
      context = authenticate(request, generation, context);
      var listing = context.call(() -> generation.entry().listing());
      long created = settings.clock().instant().getEpochSecond();
      ByteBuf body =
          DoorJson.json(ctx.alloc(), g -> ChatCompletionJson.models(g, listing, created));
      FullHttpResponse response =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      response.headers().set("x-request-id", call.requestId());
      call.succeeded();
      send(response, keepAlive);
    } catch (Exception e) {
      fail(call, e, keepAlive);
    }
  }

  // ---- /v1/chat/completions

  private void chat(FullHttpRequest request, boolean keepAlive) {
    ChatCompletionRequest parsed;
    DoorGeneration generation = settings.generations().get();
    try {
      parsed = ChatCompletionRequest.parse(DoorJson.readJson(request.content()));
    } catch (RuntimeException e) {
      fail(start(request, CHAT_METHOD, false), e, keepAlive);
      return;
    }
    DoorCall call = start(request, CHAT_METHOD, parsed.stream());
    Context context;
    try {
      context = authenticate(request, generation, call.attachTo(Context.ROOT));
    } catch (RuntimeException e) {
      fail(call, e, keepAlive);
      return;
    }
    String id = "chatcmpl-" + call.requestId();
    long created = settings.clock().instant().getEpochSecond();
    CallContext callContext = new CallContext(call.requestId(), null);
    begin(generation);
    try {
      if (parsed.stream()) {
        ChatEntry.Admitted<Flow.Publisher<StreamChunk>> admitted =
            context.call(() -> generation.entry().stream(parsed.request(), callContext));
        StreamCall streaming =
            new StreamCall(
                this,
                call,
                generation,
                admitted.tracker(),
                id,
                created,
                parsed.includeUsage(),
                keepAlive);
        current = streaming;
        admitted.result().subscribe(streaming);
      } else {
        ChatEntry.Admitted<CompletableFuture<Dispatcher.ChatResult>> admitted =
            context.call(() -> generation.entry().chat(parsed.request(), callContext));
        var tracker = admitted.tracker();
        UnaryCall<Dispatcher.ChatResult> unary =
            new UnaryCall<>(
                this,
                call,
                generation,
                tracker,
                admitted.result(),
                result -> {
                  var r = result.response();
                  tracker.completed(
                      result.provider(),
                      r.model(),
                      r.usage().promptTokens(),
                      r.usage().completionTokens());
                  return g -> ChatCompletionJson.completion(g, id, created, r);
                },
                keepAlive);
        current = unary;
        admitted.result().whenComplete((r, e) -> ctx.executor().execute(() -> unary.done(r, e)));
      }
    } catch (Exception e) {
      end(generation);
      fail(call, e, keepAlive);
    }
  }

  // ---- /v1/embeddings

  private void embeddings(FullHttpRequest request, boolean keepAlive) {
    EmbeddingsRequest parsed;
    DoorGeneration generation = settings.generations().get();
    try {
      parsed = EmbeddingsRequest.parse(DoorJson.readJson(request.content()));
    } catch (RuntimeException e) {
      fail(start(request, EMBEDDINGS_METHOD, false), e, keepAlive);
      return;
    }
    DoorCall call = start(request, EMBEDDINGS_METHOD, false);
    Context context;
    try {
      context = authenticate(request, generation, call.attachTo(Context.ROOT));
    } catch (RuntimeException e) {
      fail(call, e, keepAlive);
      return;
    }
    CallContext callContext = new CallContext(call.requestId(), null);
    begin(generation);
    try {
      ChatEntry.Admitted<
              CompletableFuture<Dispatcher.Answer<dev.providergateway.provider.EmbedResponse>>>
          admitted =
              context.call(
                  () -> {
                    try {
                      return generation.entry().embed(parsed.request(), callContext);
                    } catch (InvalidRequestException e) {
                      throw EmbeddingsRequest.renamed(e);
                    }
                  });
      var tracker = admitted.tracker();
      UnaryCall<Dispatcher.Answer<dev.providergateway.provider.EmbedResponse>> embed =
          new UnaryCall<>(
              this,
              call,
              generation,
              tracker,
              admitted.result(),
              answer -> {
                var r = answer.value();
                String model = r.model().isEmpty() ? answer.model() : r.model();
                tracker.completed(answer.provider(), model, r.usage().promptTokens(), 0);
                return g -> ChatCompletionJson.embeddings(g, model, r, parsed.base64());
              },
              keepAlive);
      current = embed;
      admitted.result().whenComplete((r, e) -> ctx.executor().execute(() -> embed.done(r, e)));
    } catch (Exception e) {
      end(generation);
      fail(call, e, keepAlive);
    }
  }

  private void begin(DoorGeneration generation) {
    generation.started().run();
    drain.callStarted();
  }

  void end(DoorGeneration generation) {
    generation.ended().run();
    drain.callEnded();
  }

  /** {@code context} with the caller in it, or throws GATEWAY_UNAUTHENTICATED. */
  private static Context authenticate(
      FullHttpRequest request, DoorGeneration generation, Context context) {
    if (generation.authenticator().isEmpty()) {
      return context;
    }
    String value = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    String problem;
    Optional<Caller> caller = Optional.empty();
    if (value == null) {
      problem = "missing API key: send the header 'Authorization: Bearer <key>'";
    } else if (!value.regionMatches(true, 0, "bearer ", 0, 7)) {
      problem = "malformed Authorization header: expected 'Bearer <key>'";
    } else {
      caller = generation.authenticator().get().authenticate(value.substring(7).strip());
      problem = "invalid API key";
    }
    if (caller.isEmpty()) {
      throw new GatewayAuthException.Unauthenticated(problem);
    }
    return caller.get().attachTo(context);
  }

  private DoorCall start(FullHttpRequest request, String method, boolean streaming) {
    return DoorCall.start(
        settings.telemetry(),
        method,
        streaming,
        request.headers().get("x-request-id"),
        request.headers().get("traceparent"),
        ctx.channel().remoteAddress());
  }

  void fail(DoorCall call, Throwable failure, boolean keepAlive) {
    com.google.rpc.Status status = ErrorMapper.toStatus(failure);
    call.failed(status);
    send(DoorJson.errorResponse(ctx.alloc(), OpenAiErrors.of(status), call.requestId()), keepAlive);
  }

  FullHttpResponse shuttingDown() {
    return DoorJson.errorResponse(
        ctx.alloc(),
        OpenAiErrors.local(
            503,
            "shutting_down",
            "the gateway is shutting down and takes no new requests; retry on another replica"),
        null);
  }

  /** Whether the connection stays open after this answer: not once the door drains. */
  boolean keep(boolean keepAlive) {
    return keepAlive && !drain.draining();
  }

  void send(FullHttpResponse response, boolean keepAlive) {
    keepAlive = keep(keepAlive);
    HttpUtil.setContentLength(response, response.content().readableBytes());
    HttpUtil.setKeepAlive(response, keepAlive);
    var written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }
}
