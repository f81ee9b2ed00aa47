package dev.providergateway.api;

import dev.providergateway.auth.RequestHooks;
import dev.providergateway.config.LimitsConfig;
import dev.providergateway.provider.GatewayOverloadedException;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import dev.providergateway.v1.Message;
import dev.providergateway.v1.StreamChunk;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The server side of one {@code Converse} stream: many concurrent turns, each keyed by its
 * client-chosen id, multiplexed onto one response stream.
 *
 * <p>A turn's failure or cancellation is reported in-band as that turn's {@code error} and leaves
 * the stream and the other turns running. When the client half-closes, the stream ends once the
 * running turns have. When the call is cancelled, every turn's upstream is cancelled.
 *
 * <p>History: turns with {@code use_history} see the history kept so far (a snapshot taken when the
 * turn starts) before their own messages, and on success append their messages and the assistant's
 * reply, in the order turns finish. The request limits ({@code max_request_bytes}, {@code
 * max_messages}) bound it even when such turns overlap: a turn starts only if the history, the
 * messages that running history turns have reserved and its own messages fit (it reserves them
 * then, atomically), and a turn whose reply would take the history past the limits ends with
 * INVALID_ARGUMENT instead of its final chunk, and is not kept.
 *
 * <p>Threading: gRPC delivers client messages serially; turns finish on provider threads. Every
 * write to the response stream holds {@link #writeLock}, so the observer sees one writer at a time.
 */
final class ConverseSession implements StreamObserver<ConverseRequest> {
  private static final int MAX_TURN_ID_LENGTH = 128;

  private final ServerCallStreamObserver<ConverseResponse> responses;
  private final Function<ChatRequest, ProviderGatewayService.AdmittedStream> streams;
  private final int maxTurns;
  private final LimitsConfig limits;
  private final Map<String, Turn> turns = new ConcurrentHashMap<>();
  private final Object writeLock = new Object();
  // Guarded by writeLock, with the reservations of running history turns.
  private final List<Message> history = new ArrayList<>();
  private long historyBytes;
  private long reservedBytes;
  private int reservedMessages;
  private boolean halfClosed;
  private boolean closed;

  /**
   * A session writing to {@code responses}; {@code streams} validates, admits and dispatches each
   * turn's request as a {@code Stream} call would be; {@code limits} bound the turns running at
   * once and the history.
   */
  ConverseSession(
      ServerCallStreamObserver<ConverseResponse> responses,
      Function<ChatRequest, ProviderGatewayService.AdmittedStream> streams,
      LimitsConfig limits) {
    this.responses = responses;
    this.streams = streams;
    this.maxTurns = limits.maxTurnsPerStream();
    this.limits = limits;
    responses.setOnReadyHandler(() -> turns.values().forEach(t -> t.relay.onReady()));
    responses.setOnCancelHandler(this::cancelAll);
  }

  @Override
  public void onNext(ConverseRequest request) {
    switch (request.getActionCase()) {
      case START -> start(request.getStart());
      case CANCEL -> cancel(request.getCancel().getTurnId());
      default -> writeError("", InvalidRequestException.of("action", "must set start or cancel"));
    }
  }

  @Override
  public void onError(Throwable t) {
    cancelAll();
  }

  @Override
  public void onCompleted() {
    synchronized (writeLock) {
      halfClosed = true;
    }
    completeIfIdle();
  }

  private void start(ConverseRequest.StartTurn start) {
    String id = start.getTurnId();
    if (id.isEmpty() || id.length() > MAX_TURN_ID_LENGTH) {
      // An over-long id is not echoed back: the reply would be as big as the id.
      writeError(
          id.length() > MAX_TURN_ID_LENGTH ? "" : id,
          InvalidRequestException.of(
              "start.turn_id", "must be 1 to " + MAX_TURN_ID_LENGTH + " characters"));
      return;
    }
    if (turns.containsKey(id)) {
      writeError(
          id, InvalidRequestException.of("start.turn_id", "turn '" + id + "' is still running"));
      return;
    }
    if (turns.size() >= maxTurns) {
      writeError(
          id, new GatewayOverloadedException("concurrent turns on this stream (" + maxTurns + ")"));
      return;
    }
    ChatRequest request = start.getRequest();
    Turn turn = new Turn(id, start.getUseHistory() ? start.getRequest().getMessagesList() : null);
    if (start.getUseHistory()) {
      synchronized (writeLock) {
        if (!turn.reserve()) {
          writeError(
              id,
              InvalidRequestException.of(
                  "start.use_history",
                  "the history ("
                      + history.size()
                      + " messages, "
                      + historyBytes
                      + " bytes), the running turns' messages and this turn's would exceed "
                      + "limits.max_messages ("
                      + limits.maxMessages()
                      + ") or limits.max_request_bytes ("
                      + limits.maxRequestBytes()
                      + "); wait for the running turns or start a new stream"));
          return;
        }
        request =
            request.toBuilder()
                .clearMessages()
                .addAllMessages(history)
                .addAllMessages(request.getMessagesList())
                .build();
      }
    }
    try {
      ProviderGatewayService.AdmittedStream admitted = streams.apply(request);
      turn.tracker = admitted.tracker();
      turns.put(id, turn);
      admitted.chunks().subscribe(turn.relay);
    } catch (RuntimeException e) {
      turns.remove(id, turn);
      turn.release();
      writeError(id, e);
    }
  }

  private void cancel(String id) {
    Turn turn = turns.remove(id);
    if (turn != null) {
      turn.relay.cancel();
      turn.release();
      write(
          ConverseResponse.newBuilder()
              .setTurnId(id)
              .setError(ErrorMapper.cancelled("turn '" + id + "' cancelled by the client"))
              .build());
      completeIfIdle();
    }
  }

  private void cancelAll() {
    synchronized (writeLock) {
      closed = true;
    }
    turns.values().forEach(t -> t.relay.cancel());
    turns.clear();
  }

  private void completeIfIdle() {
    synchronized (writeLock) {
      if (halfClosed && turns.isEmpty() && !closed) {
        closed = true;
        responses.onCompleted();
      }
    }
  }

  private void writeError(String turnId, Throwable failure) {
    write(
        ConverseResponse.newBuilder()
            .setTurnId(turnId)
            .setError(ErrorMapper.toStatus(failure))
            .build());
  }

  private void write(ConverseResponse response) {
    synchronized (writeLock) {
      if (!closed) {
        responses.onNext(response);
      }
    }
  }

  /** One running turn: relays its chunks and, at its end, updates the history. */
  private final class Turn implements ChunkRelay.Sink {
    private final String id;
    private final List<Message> newMessages;
    private final ChunkRelay relay = new ChunkRelay(this);
    private final StringBuilder reply = new StringBuilder();
    private StreamChunk last;
    private RequestHooks.Tracker tracker = RequestHooks.Tracker.NONE;
    private final long newBytes;
    // Guarded by writeLock.
    private boolean reserved;

    /** {@code newMessages} is null when the turn does not use the history. */
    Turn(String id, List<Message> newMessages) {
      this.id = id;
      this.newMessages = newMessages;
      long bytes = 0;
      if (newMessages != null) {
        for (Message m : newMessages) {
          bytes += m.getSerializedSize();
        }
      }
      this.newBytes = bytes;
    }

    /** Reserves room in the history for this turn's messages and reply; false if there is none. */
    boolean reserve() {
      synchronized (writeLock) {
        int messages = newMessages.size() + 1;
        if (historyBytes + reservedBytes + newBytes > limits.maxRequestBytes()
            || history.size() + reservedMessages + messages > limits.maxMessages()) {
          return false;
        }
        reservedBytes += newBytes;
        reservedMessages += messages;
        reserved = true;
        return true;
      }
    }

    /** Gives this turn's reservation back, once. */
    void release() {
      synchronized (writeLock) {
        if (reserved) {
          reserved = false;
          reservedBytes -= newBytes;
          reservedMessages -= newMessages.size() + 1;
        }
      }
    }

    /** Appends this turn and its reply to the history, if they fit the limits. */
    private boolean keep(StreamChunk last) {
      Message assistant =
          Message.newBuilder()
              .setRole("assistant")
              .setContent(reply.toString())
              .addAllToolCalls(last.getToolCallsList())
              .addAllReasoning(last.getReasoningBlocksList())
              .build();
      long bytes = newBytes + assistant.getSerializedSize();
      synchronized (writeLock) {
        release();
        if (historyBytes + bytes > limits.maxRequestBytes()
            || history.size() + newMessages.size() + 1 > limits.maxMessages()) {
          return false;
        }
        history.addAll(newMessages);
        history.add(assistant);
        historyBytes += bytes;
        return true;
      }
    }

    @Override
    public boolean isReady() {
      return responses.isReady();
    }

    @Override
    public void onChunk(StreamChunk chunk) {
      if (newMessages != null) {
        reply.append(chunk.getContent());
      }
      chunk = ProviderGatewayService.track(tracker, chunk, last == null);
      last = chunk;
      if (newMessages != null && chunk.getIsFinal() && !keep(chunk)) {
        writeError(
            id,
            InvalidRequestException.of(
                "start.use_history",
                "this turn and its reply would take the history past limits.max_request_bytes ("
                    + limits.maxRequestBytes()
                    + ") or limits.max_messages ("
                    + limits.maxMessages()
                    + "), so the turn was not kept; start a new stream"));
        return;
      }
      write(ConverseResponse.newBuilder().setTurnId(id).setChunk(chunk).build());
    }

    @Override
    public void onFinished() {
      if (!turns.remove(id, this)) {
        return;
      }
      release();
      completeIfIdle();
    }

    @Override
    public void onFailed(Throwable failure) {
      release();
      if (turns.remove(id, this)) {
        writeError(id, failure);
        completeIfIdle();
      }
    }
  }
}
