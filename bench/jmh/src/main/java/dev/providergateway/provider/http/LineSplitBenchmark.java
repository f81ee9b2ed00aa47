package dev.providergateway.provider.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
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
 * The per-token cost of turning upstream bytes into lines ({@link LineSplitter}: UTF-8 decode and
 * split), for one OpenAI SSE event delivered in its own buffer, as a paced stream arrives: from a
 * heap buffer, and from a direct one (what the socket read gives the upstream client).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LineSplitBenchmark {
  static final byte[] EVENT = ("data: {\"id\":\"chatcmpl-AbC123\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
      + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\",\"choices\":[{\"index\":0,"
      + "\"delta\":{\"content\":\" lorem\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n").getBytes(StandardCharsets.UTF_8);

  private final ByteBuffer direct = ByteBuffer.allocateDirect(EVENT.length).put(EVENT).flip();
  private LineSplitter splitter;
  private Consumer<String> sink;

  @Setup
  public void setUp(Blackhole bh) {
    splitter = new LineSplitter();
    sink = bh::consume;
  }

  @Benchmark
  public void splitEvent() throws CharacterCodingException {
    splitter.feed(ByteBuffer.wrap(EVENT), sink);
  }

  @Benchmark
  public void splitEventDirect() throws CharacterCodingException {
    splitter.feed(direct.duplicate(), sink);
  }
}
