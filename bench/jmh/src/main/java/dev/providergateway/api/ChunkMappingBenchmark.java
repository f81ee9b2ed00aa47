package dev.providergateway.api;

import dev.providergateway.provider.StreamChunk;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-token cost on the gRPC side: building the domain chunk, mapping it to the proto
 * ({@link ProtoMapper}), and serializing it as gRPC's marshaller does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChunkMappingBenchmark {
  private static final MethodDescriptor.Marshaller<dev.providergateway.v1.StreamChunk> MARSHALLER =
      ProtoUtils.marshaller(dev.providergateway.v1.StreamChunk.getDefaultInstance());

  private final StreamChunk domain = StreamChunk.delta(" lorem", "", List.of(), "");
  private final dev.providergateway.v1.StreamChunk proto = ProtoMapper.toProto(domain);

  /** What StreamAssembler makes of a content delta. */
  @Benchmark
  public StreamChunk domainChunk() {
    return StreamChunk.delta(" lorem", "", List.of(), "");
  }

  /** ChunkRelay's mapping of a domain chunk to the wire message. */
  @Benchmark
  public dev.providergateway.v1.StreamChunk toProto() {
    return ProtoMapper.toProto(domain);
  }

  /** The bytes gRPC writes for one chunk (its marshaller's stream, drained). */
  @Benchmark
  public void serialize(Blackhole bh) throws IOException {
    try (InputStream in = MARSHALLER.stream(proto)) {
      bh.consume(in.readAllBytes());
    }
  }
}
