package dev.providergateway.client;

import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import dev.providergateway.v1.ProviderServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One {@code Converse} call: many turns, each started by a client-chosen turn id, over one
 * bidirectional stream whose server can keep the conversation history.
 *
 * <pre>{@code
 * try (ConverseSession session = client.converse()) {
 *   try (TurnStream turn = session.startTurn("t1", ChatRequests.of("Hi").build(), true)) {
 *     turn.forEachRemaining(chunk -> System.out.print(chunk.getContent()));
 *   }
 * }
 * }</pre>
 *
 * <p>The session reads every server message and routes it by {@code turn_id} to that turn's {@link
 * TurnStream}, so turns can run concurrently and be read from different threads. A turn's failure
 * is reported in-band and is thrown as a {@link GatewayException} by that turn's iterator only; the
 * other turns and the session go on. A failure of the whole call (deadline, lost connection, {@link
 * #cancel()}) ends every running turn with that error.
 *
 * <p>Threading: every method is thread-safe. Server messages are buffered per turn until read, so a
 * turn that is never read holds its chunks in memory until the session ends.
 *
 * <p>Lifecycle: the caller owns the session. {@link #close()} half-closes the request stream: no
 * new turns can start, running turns finish normally and the server then ends the call. {@link
 * #cancel()} abandons the call and every running turn at once. One of them must be called, or the
 * call stays open (and holds server resources) until its deadline.
 */
public final class ConverseSession implements AutoCloseable {
  // Send-side state. StreamObserver is not thread-safe, so every send holds sendLock.
  private final Object sendLock = new Object();
  private ClientCallStreamObserver<ConverseRequest> requests;
  private boolean halfClosed;
  private boolean cancelled;

  // Receive-side state. Never held while taking sendLock (cancel() may deliver onError inline
  // while holding sendLock, so the opposite order could deadlock).
  private final Object stateLock = new Object();
  private final Map<String, TurnStream> running = new HashMap<>();
  private Throwable failure;
  private boolean ended;

  private ConverseSession() {}

  static ConverseSession start(ProviderServiceGrpc.ProviderServiceStub stub) {
    ConverseSession session = new ConverseSession();
    // converse() calls beforeStart() before it returns, which hands the request side over.
    stub.converse(session.new ResponseObserver());
    return session;
  }

  /**
   * Starts a turn.
   *
   * @param turnId client-chosen id, 1 to 128 characters, not the id of a turn still running
   * @param request the turn's chat request
   * @param useHistory when true the server prepends this session's kept history to the request's
   *     messages and, if the turn succeeds, records the turn in that history
   * @return the turn's chunks; the caller must close it
   * @throws IllegalArgumentException if {@code turnId} is empty
   * @throws IllegalStateException if a turn with this id is still running, or the session was
   *     closed or cancelled
   * @throws GatewayException if the call has failed
   */
  public TurnStream startTurn(String turnId, ChatRequest request, boolean useHistory) {
    Objects.requireNonNull(turnId, "turnId");
    Objects.requireNonNull(request, "request");
    if (turnId.isEmpty()) {
      throw new IllegalArgumentException("turnId must not be empty");
    }
    TurnStream turn = new TurnStream(turnId, this);
    synchronized (stateLock) {
      if (failure != null) {
        throw GatewayException.from(failure);
      }
      if (ended) {
        throw new IllegalStateException("the Converse call has ended");
      }
      if (running.putIfAbsent(turnId, turn) != null) {
        throw new IllegalStateException("turn " + turnId + " is still running");
      }
    }
    ConverseRequest start =
        ConverseRequest.newBuilder()
            .setStart(
                ConverseRequest.StartTurn.newBuilder()
                    .setTurnId(turnId)
                    .setRequest(request)
                    .setUseHistory(useHistory))
            .build();
    synchronized (sendLock) {
      if (halfClosed || cancelled) {
        synchronized (stateLock) {
          running.remove(turnId, turn);
        }
        throw new IllegalStateException("the session is " + (cancelled ? "cancelled" : "closed"));
      }
      requests.onNext(start);
    }
    return turn;
  }

  /**
   * Half-closes the request stream: no more turns can start, turns already running finish and can
   * still be read, and the server ends the call after them. Idempotent.
   */
  @Override
  public void close() {
    synchronized (sendLock) {
      if (!halfClosed && !cancelled) {
        halfClosed = true;
        requests.onCompleted();
      }
    }
  }

  /**
   * Cancels the whole call: every running turn ends with a {@code CANCELLED} {@link
   * GatewayException} (turns already closed by the caller just end). Idempotent; may follow {@link
   * #close()}.
   */
  public void cancel() {
    synchronized (sendLock) {
      if (!cancelled) {
        cancelled = true;
        requests.cancel("ConverseSession cancelled by the client", null);
      }
    }
  }

  /** Sends CancelTurn; a no-op once the request stream is closed, as nothing more can be sent. */
  void cancelTurn(String turnId) {
    ConverseRequest cancel =
        ConverseRequest.newBuilder()
            .setCancel(ConverseRequest.CancelTurn.newBuilder().setTurnId(turnId))
            .build();
    synchronized (sendLock) {
      if (!halfClosed && !cancelled) {
        requests.onNext(cancel);
      }
    }
  }

  private void onResponse(ConverseResponse response) {
    boolean last = response.hasError() || (response.hasChunk() && response.getChunk().getIsFinal());
    TurnStream turn;
    synchronized (stateLock) {
      // A turn leaves the map with its last message, so its id can be reused at once.
      turn = last ? running.remove(response.getTurnId()) : running.get(response.getTurnId());
      if (turn != null && last) {
        turn.markEnded();
      }
    }
    if (turn == null) {
      // Not a turn we track (for example a stray message after its end): nobody can read it.
      return;
    }
    if (response.hasError()) {
      turn.deliverError(response.getError());
    } else if (response.hasChunk()) {
      turn.deliverChunk(response.getChunk());
    }
    // An unset event (a newer server's oneof case) carries nothing this client understands.
  }

  /** Ends every running turn; {@code callFailure} is null when the server completed the call. */
  private void onCallEnd(Throwable callFailure) {
    List<TurnStream> orphans;
    synchronized (stateLock) {
      ended = true;
      failure = callFailure;
      orphans = new ArrayList<>(running.values());
      running.clear();
      orphans.forEach(TurnStream::markEnded);
    }
    for (TurnStream turn : orphans) {
      turn.deliverFailure(
          callFailure != null
              ? callFailure
              : Status.INTERNAL
                  .withDescription(
                      "the Converse call ended before turn " + turn.turnId() + " finished")
                  .asRuntimeException());
    }
  }

  /** Receives the server's messages on gRPC's threads; only hands them over, never blocks. */
  private final class ResponseObserver
      implements ClientResponseObserver<ConverseRequest, ConverseResponse> {
    @Override
    public void beforeStart(ClientCallStreamObserver<ConverseRequest> requestStream) {
      synchronized (sendLock) {
        requests = requestStream;
      }
    }

    @Override
    public void onNext(ConverseResponse response) {
      onResponse(response);
    }

    @Override
    public void onError(Throwable t) {
      onCallEnd(t);
    }

    @Override
    public void onCompleted() {
      onCallEnd(null);
    }
  }
}
