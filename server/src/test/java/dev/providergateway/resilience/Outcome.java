package dev.providergateway.resilience;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.StreamChunk;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How one call (or one Converse turn) ended, as its caller saw it.
 *
 * @param code the gRPC status code, {@code OK} for a success
 * @param reason the {@code ErrorInfo.reason}, "" for a success
 * @param errorMetadata the {@code ErrorInfo.metadata}
 * @param retryDelay the {@code RetryInfo} delay, null when there was none
 * @param chunks the stream chunks received (before the end or the error)
 * @param response the Chat response, null for streams and failures
 * @param startNanos when the call was made ({@link System#nanoTime()})
 * @param endNanos when its end reached the caller
 */
record Outcome(
    Status.Code code,
    String reason,
    Map<String, String> errorMetadata,
    Duration retryDelay,
    List<StreamChunk> chunks,
    CompletionResponse response,
    long startNanos,
    long endNanos) {

  static Outcome success(CompletionResponse response, long start) {
    return new Outcome(
        Status.Code.OK, "", Map.of(), null, List.of(), response, start, System.nanoTime());
  }

  static Outcome streamed(List<StreamChunk> chunks, long start) {
    return new Outcome(
        Status.Code.OK, "", Map.of(), null, List.copyOf(chunks), null, start, System.nanoTime());
  }

  static Outcome failure(StatusRuntimeException e, List<StreamChunk> chunks, long start) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status == null) {
      status = com.google.rpc.Status.newBuilder().setCode(e.getStatus().getCode().value()).build();
    }
    return failure(status, chunks, start);
  }

  static Outcome failure(com.google.rpc.Status status, List<StreamChunk> chunks, long start) {
    long end = System.nanoTime();
    String reason = "";
    Map<String, String> metadata = Map.of();
    Duration retry = null;
    for (Any any : status.getDetailsList()) {
      try {
        if (any.is(ErrorInfo.class)) {
          ErrorInfo info = any.unpack(ErrorInfo.class);
          reason = info.getReason();
          metadata = info.getMetadataMap();
        } else if (any.is(RetryInfo.class)) {
          var d = any.unpack(RetryInfo.class).getRetryDelay();
          retry = Duration.ofSeconds(d.getSeconds(), d.getNanos());
        }
      } catch (InvalidProtocolBufferException ex) {
        throw new AssertionError(ex);
      }
    }
    return new Outcome(
        Status.fromCodeValue(status.getCode()).getCode(),
        reason,
        metadata,
        retry,
        List.copyOf(chunks),
        null,
        start,
        end);
  }

  long millis() {
    return (endNanos - startNanos) / 1_000_000;
  }

  boolean ok() {
    return code == Status.Code.OK;
  }

  /** The content received before the end. */
  String content() {
    if (response != null) {
      return response.getContent();
    }
    StringBuilder b = new StringBuilder();
    chunks.forEach(c -> b.append(c.getContent()));
    return b.toString();
  }

  /** The response metadata: the Chat response's, or the final chunk's. */
  Map<String, String> metadata() {
    if (response != null) {
      return response.getMetadataMap();
    }
    return chunks.isEmpty() ? Map.of() : chunks.get(chunks.size() - 1).getMetadataMap();
  }
}
