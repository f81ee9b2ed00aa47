package dev.providergateway.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.http.Json;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-token cost of decoding one OpenAI Chat Completions SSE chunk: the {@code data:} line
 * and the blank line that ends the event, through {@link OpenAiStreamDecoder} (SSE framing, JSON
 * tree, delta to {@link StreamEvent}); and the Jackson tree parse alone, for comparison.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SseDecodeBenchmark {
  /** A content chunk as OpenAI sends it (one token of text). */
  static final String CHUNK = "{\"id\":\"chatcmpl-AbC123\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
      + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\",\"choices\":[{\"index\":0,"
      + "\"delta\":{\"content\":\" lorem\"},\"logprobs\":null,\"finish_reason\":null}]}";
  static final String LINE = "data: " + CHUNK;

  private OpenAiStreamDecoder decoder;
  private Consumer<StreamEvent> sink;

  @Setup
  public void setUp(Blackhole bh) {
    decoder = new OpenAiStreamDecoder(new Origin("bench", "gpt-4o-mini", 0), new HashMap<>());
    sink = bh::consume;
    decoder.onLine(LINE, sink); // the first chunk also announces the model
    decoder.onLine("", sink);
  }

  /** SSE framing plus JSON plus mapping: one streamed token's decode cost. */
  @Benchmark
  public void decodeChunk() {
    decoder.onLine(LINE, sink);
    decoder.onLine("", sink);
  }

  /** Jackson's tree parse of the same chunk, the floor of the tree-based decoder. */
  @Benchmark
  public JsonNode jacksonReadTree() {
    return Json.tryParse(CHUNK);
  }
}
