// Sends one message to provider-gateway, prints the reply, then streams it again.
//
//   java -cp client/java/target/provider-gateway-cli.jar client/java/examples/Chat.java \
//       localhost:50051 "Hello, gateway"
//
// A single-file program (java runs the source directly); the CLI jar holds the client, the
// generated stubs and gRPC with its Netty transport.

import dev.providergateway.client.ChatRequests;
import dev.providergateway.client.ChunkStream;
import dev.providergateway.client.GatewayClient;
import dev.providergateway.client.GatewayException;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.StreamChunk;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

public class Chat {
  public static void main(String[] args) throws InterruptedException {
    String target = args.length > 0 ? args[0] : "localhost:50051";
    String text =
        args.length > 1 ? String.join(" ", Arrays.copyOfRange(args, 1, args.length)) : "Hello, gateway";
    ManagedChannel channel =
        Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
    int exit = 0;
    try {
      GatewayClient client = GatewayClient.create(channel).withDeadline(Duration.ofSeconds(30));
      CompletionResponse reply = client.chat(ChatRequests.of(text).build());
      System.out.println(reply.getContent() + " (" + reply.getUsage().getTotalTokens() + " tokens)");
      try (ChunkStream chunks = client.stream(ChatRequests.of(text).build())) {
        for (StreamChunk chunk : chunks) {
          System.out.print(chunk.getContent());
          if (chunk.getIsFinal()) {
            System.out.println(
                "\nstop=" + chunk.getStopReason() + " usage=" + chunk.getUsage().getTotalTokens());
          }
        }
      }
    } catch (GatewayException e) {
      System.err.println("error: " + e.code() + " " + e.reason() + ": " + e.description());
      e.retryDelay().ifPresent(d -> System.err.println("retry after " + d.toMillis() + " ms"));
      exit = 1;
    } finally {
      channel.shutdown().awaitTermination(5, TimeUnit.SECONDS);
    }
    System.exit(exit);
  }
}
