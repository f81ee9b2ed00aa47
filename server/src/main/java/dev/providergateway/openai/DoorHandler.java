package dev.providergateway.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * One HTTP connection of the OpenAI-compatible door. Requests are answered one at a time, in order
 * (pipelined ones wait, at most {@value #MAX_QUEUED}); the routes are a switch on method and path:
 * {@code POST /v1/chat/completions}, {@code POST /v1/embeddings}, {@code GET /v1/models} and {@code
 * GET /healthz}. An embeddings call is read by {@link EmbeddingsRequest} into the gRPC {@code
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
 * <p>All state is touched on the channel's event loop; upstream signals hop onto it.
 */
final class DoorHandler extends ChannelInboundHandlerAdapter {
  private static final System.Logger LOG = System.getLogger(DoorHandler.class.getName());
  static final int MAX_QUEUED = 16;
  static final String CHAT_METHOD = "http.ChatCompletions";
  static final String MODELS_METHOD = "http.Models";
  static final String EMBEDDINGS_METHOD = "http.Embeddings";

  static final ObjectMapper MAPPER = new ObjectMapper();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
  }

  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

  private final OpenAiDoor.Settings settings;
  private final DoorDrain drain;
  private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private InFlight current;

  DoorHandler(OpenAiDoor.Settings settings, DoorDrain drain) {
    this.settings = settings;
    this.drain = drain;
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
  private void finished(InFlight done) {
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
      if (request.decoderResult().isFailure()) {
        respondLocal(request, 400, "invalid_http", "malformed HTTP request", keepAlive);
        return;
      }
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
                    + bounded(path)
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
        errorResponse(
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
    send(errorResponse(ctx.alloc(), OpenAiErrors.local(status, code, message), null), keepAlive);
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
      ByteBuf body = ctx.alloc().buffer();
      try (JsonGenerator g =
          ChatCompletionJson.JSON.createGenerator(
              (java.io.OutputStream) new ByteBufOutputStream(body))) {
        g.writeStartObject();
        g.writeStringField("object", "list");
        g.writeArrayFieldStart("data");
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        for (var route : listing.getRoutesList()) {
          seen.add(route.getName());
        }
        for (var provider : listing.getProvidersList()) {
          if (!provider.getDefaultModel().isEmpty()) {
            seen.add(provider.getName() + "/" + provider.getDefaultModel());
          }
          for (var model : provider.getModelsList()) {
            seen.add(provider.getName() + "/" + model.getId());
          }
        }
        for (String id : seen) {
          g.writeStartObject();
          g.writeStringField("id", id);
          g.writeStringField("object", "model");
          g.writeNumberField("created", created);
          int slash = id.indexOf('/');
          g.writeStringField("owned_by", slash < 0 ? "route" : id.substring(0, slash));
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
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
      parsed = ChatCompletionRequest.parse(readJson(request.content()));
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
            new StreamCall(call, generation, admitted.tracker(), id, created, parsed, keepAlive);
        current = streaming;
        admitted.result().subscribe(streaming);
      } else {
        ChatEntry.Admitted<CompletableFuture<Dispatcher.ChatResult>> admitted =
            context.call(() -> generation.entry().chat(parsed.request(), callContext));
        var tracker = admitted.tracker();
        UnaryCall<Dispatcher.ChatResult> unary =
            new UnaryCall<>(
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
      parsed = EmbeddingsRequest.parse(readJson(request.content()));
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

  private void end(DoorGeneration generation) {
    generation.ended().run();
    drain.callEnded();
  }

  private static JsonNode readJson(ByteBuf content) {
    if (!content.isReadable()) {
      throw InvalidRequestException.of("body", "is empty, expected a JSON object");
    }
    try {
      JsonNode node =
          MAPPER.readTree((java.io.InputStream) new ByteBufInputStream(content.duplicate()));
      if (node == null || node.isMissingNode()) {
        throw InvalidRequestException.of("body", "is empty, expected a JSON object");
      }
      return node;
    } catch (JsonParseException e) {
      throw InvalidRequestException.of(
          "body",
          "is not valid JSON: "
              + bounded(e.getOriginalMessage())
              + " at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr());
    } catch (JsonProcessingException e) {
      throw InvalidRequestException.of(
          "body", "is not valid JSON: " + bounded(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  private void fail(DoorCall call, Throwable failure, boolean keepAlive) {
    com.google.rpc.Status status = ErrorMapper.toStatus(failure);
    call.failed(status);
    send(errorResponse(ctx.alloc(), OpenAiErrors.of(status), call.requestId()), keepAlive);
  }

  static FullHttpResponse errorResponse(
      ByteBufAllocator alloc, OpenAiErrors error, String requestId) {
    ByteBuf body = alloc.buffer(256);
    try (JsonGenerator g =
        ChatCompletionJson.JSON.createGenerator(
            (java.io.OutputStream) new ByteBufOutputStream(body))) {
      error.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(error.httpStatus()), body);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    error
        .retryAfterSeconds()
        .ifPresent(s -> response.headers().set(HttpHeaderNames.RETRY_AFTER, s));
    error
        .retryAfter()
        .ifPresent(d -> response.headers().set("retry-after-ms", Long.toString(d.toMillis())));
    if (requestId != null) {
      response.headers().set("x-request-id", requestId);
    }
    return response;
  }

  private FullHttpResponse shuttingDown() {
    return errorResponse(
        ctx.alloc(),
        OpenAiErrors.local(
            503,
            "shutting_down",
            "the gateway is shutting down and takes no new requests; retry on another replica"),
        null);
  }

  /** Whether the connection stays open after this answer: not once the door drains. */
  private boolean keep(boolean keepAlive) {
    return keepAlive && !drain.draining();
  }

  private void send(FullHttpResponse response, boolean keepAlive) {
    keepAlive = keep(keepAlive);
    HttpUtil.setContentLength(response, response.content().readableBytes());
    HttpUtil.setKeepAlive(response, keepAlive);
    var written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static String bounded(String s) {
    if (s == null) {
      return "";
    }
    String cut = s.length() <= 200 ? s : s.substring(0, 200) + "...";
    StringBuilder out = new StringBuilder(cut.length());
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return out.toString();
  }

  private ByteBuf json(JsonWriter writer) {
    ByteBuf buf = ctx.alloc().buffer();
    try (JsonGenerator g =
        ChatCompletionJson.JSON.createGenerator(
            (java.io.OutputStream) new ByteBufOutputStream(buf))) {
      writer.write(g);
    } catch (IOException e) {
      buf.release();
      throw new UncheckedIOException(e);
    }
    return buf;
  }

  private ByteBuf sse(JsonWriter writer) {
    ByteBuf buf = ctx.alloc().buffer();
    buf.writeBytes(DATA_PREFIX);
    try (JsonGenerator g =
        ChatCompletionJson.JSON.createGenerator(
            (java.io.OutputStream) new ByteBufOutputStream(buf))) {
      writer.write(g);
    } catch (IOException e) {
      buf.release();
      throw new UncheckedIOException(e);
    }
    buf.writeByte('\n').writeByte('\n');
    return buf;
  }

  private static final byte[] DATA_PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);

  @FunctionalInterface
  private interface JsonWriter {
    void write(JsonGenerator g) throws IOException;
  }

  /** The call this connection is answering. */
  private abstract static class InFlight {
    /** The connection closed before the answer was complete. */
    abstract void disconnected();

    /** The channel became writable again. */
    void writable() {}

    /**
     * The shutdown grace period ended with this call running: cancel its upstream request and end
     * the answer with an error (the connection closes right after).
     */
    abstract void cancelledAtShutdown();
  }

  /**
   * A call answered with one JSON body (a chat completion, embeddings): {@code answer} reports the
   * outcome to the tracker and returns the body's writer; failures before that become the OpenAI
   * error shape.
   */
  private final class UnaryCall<T> extends InFlight {
    private final DoorCall call;
    private final DoorGeneration generation;
    private final dev.providergateway.auth.RequestHooks.Tracker tracker;
    private final CompletableFuture<T> future;
    private final java.util.function.Function<T, JsonWriter> answer;
    private final boolean keepAlive;
    private boolean over;

    UnaryCall(
        DoorCall call,
        DoorGeneration generation,
        dev.providergateway.auth.RequestHooks.Tracker tracker,
        CompletableFuture<T> future,
        java.util.function.Function<T, JsonWriter> answer,
        boolean keepAlive) {
      this.call = call;
      this.generation = generation;
      this.tracker = tracker;
      this.future = future;
      this.answer = answer;
      this.keepAlive = keepAlive;
    }

    void done(T result, Throwable failure) {
      if (over) {
        return;
      }
      over = true;
      end(generation);
      if (failure != null) {
        fail(call, failure, keepAlive);
      } else {
        ByteBuf body;
        try {
          body = json(answer.apply(result));
        } catch (RuntimeException e) {
          fail(call, e, keepAlive);
          finished(this);
          return;
        }
        FullHttpResponse response =
            new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        response.headers().set("x-request-id", call.requestId());
        call.succeeded();
        send(response, keepAlive);
      }
      finished(this);
    }

    @Override
    void disconnected() {
      if (!over) {
        over = true;
        future.cancel(true);
        call.cancelled();
        end(generation);
      }
    }

    @Override
    void cancelledAtShutdown() {
      if (!over) {
        over = true;
        future.cancel(true);
        call.cancelled();
        end(generation);
        send(shuttingDown(), false);
      }
    }
  }

  private final class StreamCall extends InFlight implements Flow.Subscriber<StreamChunk> {
    private final DoorCall call;
    private final DoorGeneration generation;
    private final dev.providergateway.auth.RequestHooks.Tracker tracker;
    private final String id;
    private final long created;
    private final ChatCompletionRequest request;
    private final boolean keepAlive;
    private Flow.Subscription subscription;
    private boolean headersSent;
    private boolean pending;
    private boolean over;
    private int streamedToolCalls;
    private String model = "";

    StreamCall(
        DoorCall call,
        DoorGeneration generation,
        dev.providergateway.auth.RequestHooks.Tracker tracker,
        String id,
        long created,
        ChatCompletionRequest request,
        boolean keepAlive) {
      this.call = call;
      this.generation = generation;
      this.tracker = tracker;
      this.id = id;
      this.created = created;
      this.request = request;
      this.keepAlive = keepAlive;
    }

    // Flow signals arrive on upstream threads; each hops onto this channel's event loop, in order.

    @Override
    public void onSubscribe(Flow.Subscription s) {
      ctx.executor().execute(() -> subscribed(s));
    }

    @Override
    public void onNext(StreamChunk chunk) {
      ctx.executor().execute(() -> next(chunk));
    }

    @Override
    public void onError(Throwable failure) {
      ctx.executor().execute(() -> failed(failure));
    }

    @Override
    public void onComplete() {
      ctx.executor().execute(this::completed);
    }

    private void subscribed(Flow.Subscription s) {
      subscription = s;
      if (over) {
        s.cancel();
        return;
      }
      demand();
    }

    private void demand() {
      if (!over && !pending && subscription != null && ctx.channel().isWritable()) {
        pending = true;
        subscription.request(1);
      }
    }

    @Override
    void writable() {
      demand();
    }

    private void next(StreamChunk chunk) {
      pending = false;
      if (over) {
        return;
      }
      boolean first = !headersSent;
      if (first) {
        tracker.firstOutput();
        HttpResponse response =
            new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        response.headers().set("x-request-id", call.requestId());
        HttpUtil.setTransferEncodingChunked(response, true);
        HttpUtil.setKeepAlive(response, keep(keepAlive));
        ctx.write(response);
        headersSent = true;
      }
      if (!chunk.model().isEmpty()) {
        model = chunk.model();
      }
      boolean usageNull = request.includeUsage();
      if (!chunk.isFinal()) {
        streamedToolCalls +=
            (int) chunk.toolCallDeltas().stream().filter(d -> !d.id().isEmpty()).count();
        ctx.writeAndFlush(
            new DefaultHttpContent(
                sse(
                    g ->
                        ChatCompletionJson.deltaChunk(
                            g,
                            id,
                            created,
                            model,
                            first,
                            chunk.content(),
                            chunk.reasoningContent(),
                            chunk.toolCallDeltas(),
                            List.of(),
                            null,
                            usageNull))));
        demand();
        return;
      }
      over = true;
      tracker.completed(
          chunk.provider(),
          chunk.model(),
          chunk.usage().promptTokens(),
          chunk.usage().completionTokens());
      // Calls the model made that were not streamed as deltas (none, usually) go out whole.
      var whole =
          streamedToolCalls == 0
              ? chunk.toolCalls()
              : List.<dev.providergateway.provider.ToolCall>of();
      String finish = ChatCompletionJson.finishReason(chunk.stopReason());
      ctx.write(
          new DefaultHttpContent(
              sse(
                  g ->
                      ChatCompletionJson.deltaChunk(
                          g,
                          id,
                          created,
                          model,
                          first,
                          chunk.content(),
                          chunk.reasoningContent(),
                          chunk.toolCallDeltas(),
                          whole,
                          finish,
                          usageNull))));
      if (request.includeUsage()) {
        ctx.write(
            new DefaultHttpContent(
                sse(g -> ChatCompletionJson.usageChunk(g, id, created, model, chunk.usage()))));
      }
      ByteBuf done = ctx.alloc().buffer(DONE.length).writeBytes(DONE);
      var written = ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultLastHttpContent(done));
      if (!keep(keepAlive)) {
        written.addListener(ChannelFutureListener.CLOSE);
      }
      call.succeeded();
      end(generation);
      finished(this);
      // The final chunk is the last; the publisher completes right after (ignored: over).
    }

    private void failed(Throwable failure) {
      if (over) {
        return;
      }
      over = true;
      end(generation);
      if (!headersSent) {
        fail(call, failure, keepAlive);
        finished(this);
        return;
      }
      com.google.rpc.Status status = ErrorMapper.toStatus(failure);
      call.failed(status);
      OpenAiErrors error = OpenAiErrors.of(status);
      // Output was sent: the stream ends with an error event and no [DONE], never a clean end.
      ctx.write(new DefaultHttpContent(sse(error::write)));
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
          .addListener(ChannelFutureListener.CLOSE);
    }

    private void completed() {
      if (!over) {
        failed(new IllegalStateException("stream ended without a final chunk"));
      }
    }

    @Override
    void disconnected() {
      if (over) {
        return;
      }
      over = true;
      if (subscription != null) {
        subscription.cancel();
      }
      call.cancelled();
      end(generation);
    }

    @Override
    void cancelledAtShutdown() {
      if (over) {
        return;
      }
      over = true;
      if (subscription != null) {
        subscription.cancel();
      }
      call.cancelled();
      end(generation);
      if (!headersSent) {
        send(shuttingDown(), false);
        return;
      }
      OpenAiErrors error =
          OpenAiErrors.local(
              503,
              "shutting_down",
              "the gateway shut down before this stream ended; the answer is incomplete");
      ctx.write(new DefaultHttpContent(sse(error::write)));
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
          .addListener(ChannelFutureListener.CLOSE);
    }
  }
}
