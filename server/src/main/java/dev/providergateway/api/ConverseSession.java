package dev.providergateway.api;

import dev.providergateway.auth.RequestHooks;
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
 * reply, in the order turns finish. The request limits bound it: a turn whose history and messages
 * exceed them fails with INVALID_ARGUMENT.
 *
 * <p>Threading: gRPC delivers client messages serially; turns finish on provider threads. Every
 * write to the response stream holds {@link #writeLock}, so the observer sees one writer at a time.
 */
final class ConverseSession implements StreamObserver<ConverseRequest> {
  private static final int MAX_TURN_ID_LENGTH = 128;

  private final ServerCallStreamObserver<ConverseResponse> responses;
  private final Function<ChatRequest, ProviderGatewayService.AdmittedStream> streams;
  private final int maxTurns;
  private final Map<String, Turn> turns = new ConcurrentHashMap<>();
  private final Object writeLock = new Object();
  private final List<Message> history = new ArrayList<>();
  private boolean halfClosed;
  private boolean closed;

  /**
   * A session writing to {@code responses}; {@code streams} validates, admits and dispatches each
   * turn's request as a {@code Stream} call would be, and at most {@code maxTurns} run at once.
   */
  ConverseSession(
      ServerCallStreamObserver<ConverseResponse> responses,
      Function<ChatRequest, ProviderGatewayService.AdmittedStream> streams,
      int maxTurns) {
    this.responses = responses;
    this.streams = streams;
    this.maxTurns = maxTurns;
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
    if (start.getUseHistory()) {
      synchronized (writeLock) {
        request =
            request.toBuilder()
                .clearMessages()
                .addAllMessages(history)
                .addAllMessages(request.getMessagesList())
                .build();
      }
    }
    Turn turn = new Turn(id, start.getUseHistory() ? start.getRequest().getMessagesList() : null);
    try {
      ProviderGatewayService.AdmittedStream admitted = streams.apply(request);
      turn.tracker = admitted.tracker();
      turns.put(id, turn);
      admitted.chunks().subscribe(turn.relay);
    } catch (RuntimeException e) {
      turns.remove(id, turn);
      writeError(id, e);
    }
  }

  private void cancel(String id) {
    Turn turn = turns.remove(id);
    if (turn != null) {
      turn.relay.cancel();
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

    /** {@code newMessages} is null when the turn does not use the history. */
    Turn(String id, List<Message> newMessages) {
      this.id = id;
      this.newMessages = newMessages;
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
      ProviderGatewayService.track(tracker, chunk, last == null);
      last = chunk;
      write(ConverseResponse.newBuilder().setTurnId(id).setChunk(chunk).build());
    }

    @Override
    public void onFinished() {
      if (!turns.remove(id, this)) {
        return;
      }
      if (newMessages != null && last != null) {
        Message assistant =
            Message.newBuilder()
                .setRole("assistant")
                .setContent(reply.toString())
                .addAllToolCalls(last.getToolCallsList())
                .addAllReasoning(last.getReasoningBlocksList())
                .build();
        synchronized (writeLock) {
          history.addAll(newMessages);
          history.add(assistant);
        }
      }
      completeIfIdle();
    }

    @Override
    public void onFailed(Throwable failure) {
      if (turns.remove(id, this)) {
        writeError(id, failure);
        completeIfIdle();
      }
    }
  }
}
