package dev.providergateway.provider.openai;

import com.fasterxml.jackson.core.JsonParser;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.http.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * The OpenAI-compatible codec on the hot path, streaming (Jackson's parser and generator straight
 * to and from the records, as the gateway runs it) against the tree-based code it replaced ({@link
 * TreeBaseline}): a unary response, one SSE chunk's JSON and a request body.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OpenAiCodecBenchmark {
  /** A non-streamed completion as OpenAI sends it (the mock's 16-token answer, usage details). */
  static final byte[] UNARY =
      ("{\"id\":\"chatcmpl-AbC123\",\"object\":\"chat.completion\",\"created\":1700000000,"
              + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
              + "\"assistant\",\"content\":\"lorem ipsum dolor sit amet consectetur adipiscing elit sed do "
              + "eiusmod tempor incididunt ut labore et\",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,"
              + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":16,"
              + "\"total_tokens\":35,\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
              + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
              + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},"
              + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_0ba0d124f1\"}")
          .getBytes(StandardCharsets.UTF_8);

  private final Origin origin = new Origin("bench", "gpt-4o-mini", 0);
  private ChatRequest request;
  private OpenAiRequestMapper.Dialect dialect;
  private OpenAiStreamDecoder decoder;
  private TreeBaseline.Decoder treeDecoder;
  private Consumer<StreamEvent> sink;

  @Setup
  public void setUp(Blackhole bh) {
    request =
        ChatRequest.builder("gpt-4o-mini")
            .addMessage(Message.of(Role.SYSTEM, "You are a helpful assistant. Answer briefly."))
            .addMessage(Message.of(Role.USER, "What is the capital of France?"))
            .addMessage(Message.of(Role.ASSISTANT, "Paris."))
            .addMessage(Message.of(Role.USER, "And of Italy? Say it in one \"word\"."))
            .temperature(0.2)
            .maxTokens(256)
            .tools(
                List.of(
                    new ToolDefinition(
                        "lookup",
                        "Looks a city up",
                        Map.of(
                            "type",
                            "object",
                            "properties",
                            Map.of("city", Map.of("type", "string")),
                            "required",
                            List.of("city")))))
            .build();
    dialect =
        new OpenAiRequestMapper.Dialect(OpenAiModels.rulesFor("gpt-4o-mini", true), true, true);
    sink = bh::consume;
    decoder = new OpenAiStreamDecoder(origin, new LinkedHashMap<>());
    decoder.onEvent("", SseDecodeBenchmark.CHUNK, sink); // the first chunk announces the model
    treeDecoder = new TreeBaseline.Decoder(origin);
  }

  /** A unary response read by the streaming parser straight into the record (the gateway's path). */
  @Benchmark
  public CompletionResponse unaryStreaming() throws IOException {
    try (JsonParser p = Json.MAPPER.getFactory().createParser(UNARY)) {
      p.nextToken();
      return OpenAiResponseMapper.response(p, origin, Map.of());
    }
  }

  /** The same response parsed into a tree and mapped from it (before). */
  @Benchmark
  public CompletionResponse unaryTree() {
    return TreeBaseline.response(Json.tryParse(UNARY), origin, Map.of());
  }

  /** One SSE chunk's JSON to stream events by the streaming parser (the gateway's path). */
  @Benchmark
  public void chunkStreaming() {
    decoder.onEvent("", SseDecodeBenchmark.CHUNK, sink);
  }

  /** The same chunk parsed into a tree and mapped from it (before). */
  @Benchmark
  public void chunkTree() {
    String data = SseDecodeBenchmark.CHUNK;
    treeDecoder.onJson(Json.tryParse(data), data, sink);
  }

  /** A four-message request with a tool written by the streaming generator (the gateway's path). */
  @Benchmark
  public byte[] requestStreaming() {
    return Json.writeBytes(
        OpenAiRequestMapper.requestBody(request, true, dialect, new LinkedHashMap<>()));
  }

  /** The same request built as an ObjectNode tree, then written (before). */
  @Benchmark
  public byte[] requestTree() {
    return Json.writeBytes(TreeBaseline.requestBody(request, true, dialect, new LinkedHashMap<>()));
  }
}
