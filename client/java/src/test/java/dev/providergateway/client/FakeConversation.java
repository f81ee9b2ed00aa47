package dev.providergateway.client;

import com.google.rpc.Code;
import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import dev.providergateway.v1.StreamChunk;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The server side of one fake Converse call. Replies are held until enough turns started, then sent
 * round-robin across turns, so turns interleave on the wire. gRPC serializes the calls into this
 * observer, so it needs no locking.
 */
final class FakeConversation implements StreamObserver<ConverseRequest> {
  private final FakeProviderService service;
  private final ServerCallStreamObserver<ConverseResponse> call;
  private final Map<String, Deque<ConverseResponse>> pending = new LinkedHashMap<>();
  private final Set<String> hanging = new HashSet<>();
  private int starts;
  private boolean halfClosed;
  private boolean completed;

  FakeConversation(FakeProviderService service, ServerCallStreamObserver<ConverseResponse> call) {
    this.service = service;
    this.call = call;
  }

  @Override
  public void onNext(ConverseRequest request) {
    service.converseRequests.add(request);
    if (request.hasStart()) {
      ConverseRequest.StartTurn start = request.getStart();
      String turnId = start.getTurnId();
      String text = FakeProviderService.lastText(start.getRequest());
      Deque<ConverseResponse> script = new ArrayDeque<>();
      if (FakeProviderService.FAIL.equals(text)) {
        script.add(
            ConverseResponse.newBuilder()
                .setTurnId(turnId)
                .setError(FakeProviderService.invalidRequest())
                .build());
      } else if (FakeProviderService.HANG.equals(text)) {
        hanging.add(turnId);
        script.add(chunk(turnId, StreamChunk.newBuilder().setContent("waiting").build()));
      } else {
        FakeProviderService.replyChunks(start.getRequest(), text)
            .forEach(c -> script.add(chunk(turnId, c)));
      }
      pending.put(turnId, script);
      starts++;
      if (starts >= service.converseStartsBeforeReply) {
        flush();
      }
    } else if (request.hasCancel()) {
      String turnId = request.getCancel().getTurnId();
      if (hanging.remove(turnId)) {
        com.google.rpc.Status cancelled =
            com.google.rpc.Status.newBuilder()
                .setCode(Code.CANCELLED_VALUE)
                .setMessage("turn cancelled by the client")
                .build();
        service.send(
            call, ConverseResponse.newBuilder().setTurnId(turnId).setError(cancelled).build());
      }
      maybeComplete();
    }
  }

  @Override
  public void onError(Throwable t) {
    // The client cancelled the call; the onCancelHandler has recorded it.
  }

  @Override
  public void onCompleted() {
    halfClosed = true;
    service.converseHalfClosed.countDown();
    flush();
    maybeComplete();
  }

  private void flush() {
    boolean sent = true;
    while (sent) {
      sent = false;
      for (Iterator<Deque<ConverseResponse>> it = pending.values().iterator(); it.hasNext(); ) {
        Deque<ConverseResponse> script = it.next();
        ConverseResponse next = script.poll();
        if (next != null) {
          service.send(call, next);
          sent = true;
        }
        if (script.isEmpty()) {
          it.remove();
        }
      }
    }
  }

  private void maybeComplete() {
    if (halfClosed && hanging.isEmpty() && pending.isEmpty() && !completed) {
      completed = true;
      call.onCompleted();
    }
  }

  private static ConverseResponse chunk(String turnId, StreamChunk chunk) {
    return ConverseResponse.newBuilder().setTurnId(turnId).setChunk(chunk).build();
  }
}
