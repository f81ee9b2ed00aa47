package dev.providergateway.client.cli;

import dev.providergateway.client.ChunkStream;
import dev.providergateway.v1.StreamChunk;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code stream}: sends one message and prints the reply's text as it arrives. */
@Command(name = "stream", description = "Send a message and print the reply as it streams in.")
final class StreamCommand extends RequestCommand implements Callable<Integer> {
  StreamCommand(GatewayCli root) {
    super(root);
  }

  @Override
  public Integer call() {
    return root.withClient(
        client -> {
          StreamChunk last = null;
          try (ChunkStream chunks = client.stream(toRequest())) {
            for (StreamChunk chunk : chunks) {
              if (!chunk.getContent().isEmpty()) {
                root.out.print(chunk.getContent());
                // Flush per chunk: seeing the text appear is the point of streaming.
                root.out.flush();
              }
              last = chunk;
            }
          } finally {
            // End the partial line even if the stream failed midway, so the error starts afresh.
            root.out.println();
            root.out.flush();
          }
          if (last != null && last.getIsFinal()) {
            printToolCalls(root.out, last.getToolCallsList());
            root.out.flush();
            printUsage(
                root.err,
                last.getUsage(),
                stopReason(last.getStopReason()),
                last.getProvider(),
                last.getModel());
          }
          return 0;
        });
  }
}
