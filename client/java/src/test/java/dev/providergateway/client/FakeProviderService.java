package dev.providergateway.client;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.ConverseRequest;
import dev.providergateway.v1.ConverseResponse;
import dev.providergateway.v1.ListProvidersRequest;
import dev.providergateway.v1.ListProvidersResponse;
import dev.providergateway.v1.Message;
import dev.providergateway.v1.ProviderServiceGrpc;
import dev.providergateway.v1.StopReason;
import dev.providergateway.v1.StreamChunk;
import dev.providergateway.v1.ToolCall;
import dev.providergateway.v1.Usage;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the gateway that behaves like its {@code echo} provider: the reply is the last
 * user or tool message, streamed word by word (each word with its leading whitespace), then one
 * final chunk with usage. A few magic user texts change that:
 *
 * <ul>
 *   <li>{@value #HANG}: Chat never answers; Stream and a Converse turn send one chunk {@code
 *       waiting} and then wait to be cancelled;
 *   <li>{@value #FAIL} (Converse): the turn ends with an in-band {@link #invalidRequest()} error;
 *   <li>{@code call NAME ARGS}: the reply is a tool call of NAME with ARGS.
 * </ul>
 *
 * Everything it receives is recorded for the tests to assert on. Tuned through public fields.
 */
public final class FakeProviderService extends ProviderServiceGrpc.ProviderServiceImplBase {
  public static final String HANG = "hang";
  public static final String FAIL = "fail";
  private static final Pattern WORD = Pattern.compile("\\s*\\S+");
  private static final Pattern TOOL_CALL = Pattern.compile("call (\\S+) (.*)");

  public final BlockingQueue<ChatRequest> requests = new LinkedBlockingQueue<>();
  public final BlockingQueue<ConverseRequest> converseRequests = new LinkedBlockingQueue<>();
  public final List<ConverseResponse> converseSent = new CopyOnWriteArrayList<>();
  public final CountDownLatch chatCancelled = new CountDownLatch(1);
  public final CountDownLatch streamCancelled = new CountDownLatch(1);
  public final CountDownLatch converseCancelled = new CountDownLatch(1);
  public final CountDownLatch converseHalfClosed = new CountDownLatch(1);

  /** When set, Chat, ListProviders and Stream fail with it (Stream after failAfterChunks). */
  public volatile StatusRuntimeException failWith;

  public volatile int failAfterChunks;

  /** Converse holds its replies until this many turns started, then interleaves them. */
  public volatile int converseStartsBeforeReply = 1;

  public volatile ListProvidersResponse providers = ListProvidersResponse.getDefaultInstance();

  @Override
  public void chat(ChatRequest request, StreamObserver<CompletionResponse> responses) {
    requests.add(request);
    if (failWith != null) {
      responses.onError(failWith);
      return;
    }
    String text = lastText(request);
    if (HANG.equals(text)) {
      ((ServerCallStreamObserver<CompletionResponse>) responses)
          .setOnCancelHandler(chatCancelled::countDown);
      return;
    }
    List<StreamChunk> chunks = replyChunks(request, text);
    StreamChunk last = chunks.get(chunks.size() - 1);
    responses.onNext(
        CompletionResponse.newBuilder()
            .setContent(text.startsWith("call ") ? "" : text)
            .setRole("assistant")
            .addAllToolCalls(last.getToolCallsList())
            .setStopReason(last.getStopReason())
            .setUsage(last.getUsage())
            .setModel(last.getModel())
            .setProvider(last.getProvider())
            .build());
    responses.onCompleted();
  }

  @Override
  public void stream(ChatRequest request, StreamObserver<StreamChunk> responses) {
    requests.add(request);
    ServerCallStreamObserver<StreamChunk> call = (ServerCallStreamObserver<StreamChunk>) responses;
    String text = lastText(request);
    if (HANG.equals(text)) {
      call.setOnCancelHandler(streamCancelled::countDown);
      call.onNext(StreamChunk.newBuilder().setContent("waiting").build());
      return;
    }
    List<StreamChunk> chunks = replyChunks(request, text);
    StatusRuntimeException failure = failWith;
    if (failure != null) {
      chunks.stream().limit(Math.min(failAfterChunks, chunks.size() - 1)).forEach(call::onNext);
      call.onError(failure);
      return;
    }
    chunks.forEach(call::onNext);
    call.onCompleted();
  }

  @Override
  public void listProviders(
      ListProvidersRequest request, StreamObserver<ListProvidersResponse> responses) {
    if (failWith != null) {
      responses.onError(failWith);
      return;
    }
    responses.onNext(providers);
    responses.onCompleted();
  }

  @Override
  public StreamObserver<ConverseRequest> converse(StreamObserver<ConverseResponse> responses) {
    ServerCallStreamObserver<ConverseResponse> call =
        (ServerCallStreamObserver<ConverseResponse>) responses;
    call.setOnCancelHandler(converseCancelled::countDown);
    return new FakeConversation(this, call);
  }

  void send(ServerCallStreamObserver<ConverseResponse> call, ConverseResponse response) {
    converseSent.add(response);
    call.onNext(response);
  }

  /** The echo reply: one chunk per word, then the final chunk. */
  static List<StreamChunk> replyChunks(ChatRequest request, String text) {
    List<StreamChunk> chunks = new ArrayList<>();
    StreamChunk.Builder last =
        StreamChunk.newBuilder()
            .setIsFinal(true)
            .setStopReason(StopReason.STOP_REASON_STOP)
            .setProvider(request.getProvider().isEmpty() ? "echo" : request.getProvider())
            .setModel(request.getModel().isEmpty() ? "echo-1" : request.getModel());
    Matcher toolCall = TOOL_CALL.matcher(text);
    if (toolCall.matches()) {
      last.setStopReason(StopReason.STOP_REASON_TOOL_CALLS)
          .addToolCalls(
              ToolCall.newBuilder()
                  .setId("call_1")
                  .setName(toolCall.group(1))
                  .setArguments(toolCall.group(2)));
    } else {
      Matcher words = WORD.matcher(text);
      while (words.find()) {
        chunks.add(StreamChunk.newBuilder().setContent(words.group()).build());
      }
    }
    int prompt = request.getMessagesList().stream().mapToInt(m -> countWords(m.getContent())).sum();
    int completion = countWords(text);
    last.setUsage(
        Usage.newBuilder()
            .setPromptTokens(prompt)
            .setCompletionTokens(completion)
            .setTotalTokens(prompt + completion));
    chunks.add(last.build());
    return chunks;
  }

  static String lastText(ChatRequest request) {
    List<Message> messages = request.getMessagesList();
    for (int i = messages.size() - 1; i >= 0; i--) {
      String role = messages.get(i).getRole();
      if (role.equals("user") || role.equals("tool")) {
        return messages.get(i).getContent();
      }
    }
    return "";
  }

  private static int countWords(String text) {
    int count = 0;
    Matcher words = WORD.matcher(text);
    while (words.find()) {
      count++;
    }
    return count;
  }

  /** An INVALID_ARGUMENT status with the details the gateway sends for a rejected request. */
  public static com.google.rpc.Status invalidRequest() {
    return com.google.rpc.Status.newBuilder()
        .setCode(Code.INVALID_ARGUMENT_VALUE)
        .setMessage("messages[0].role: unknown role")
        .addDetails(
            Any.pack(
                ErrorInfo.newBuilder()
                    .setDomain("providergateway")
                    .setReason("INVALID_REQUEST")
                    .putMetadata("provider", "echo")
                    .putMetadata("model", "echo-1")
                    .build()))
        .addDetails(
            Any.pack(
                BadRequest.newBuilder()
                    .addFieldViolations(
                        BadRequest.FieldViolation.newBuilder()
                            .setField("messages[0].role")
                            .setDescription("unknown role 'robot'"))
                    .build()))
        .build();
  }

  /** A RESOURCE_EXHAUSTED failure like an upstream 429, asking for a 3-second wait. */
  public static StatusRuntimeException rateLimited() {
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(Code.RESOURCE_EXHAUSTED_VALUE)
            .setMessage("openai rate limit exceeded")
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder()
                        .setDomain("providergateway")
                        .setReason("PROVIDER_RATE_LIMIT")
                        .putMetadata("provider", "openai")
                        .putMetadata("model", "gpt-4o-mini")
                        .putMetadata("http_status", "429")
                        .build()))
            .addDetails(
                Any.pack(
                    RetryInfo.newBuilder()
                        .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(3))
                        .build()))
            .build();
    return StatusProto.toStatusRuntimeException(status);
  }
}
