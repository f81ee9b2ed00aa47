package dev.providergateway.client.cli;

import dev.providergateway.v1.CompletionResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code chat}: sends one message and prints the whole reply once it is complete. */
@Command(name = "chat", description = "Send a message and print the whole reply.")
final class ChatCommand extends RequestCommand implements Callable<Integer> {
  ChatCommand(GatewayCli root) {
    super(root);
  }

  @Override
  public Integer call() {
    return root.withClient(
        client -> {
          CompletionResponse reply = client.chat(toRequest());
          if (!reply.getContent().isEmpty()) {
            root.out.println(reply.getContent());
          }
          printToolCalls(root.out, reply.getToolCallsList());
          root.out.flush();
          printUsage(
              root.err,
              reply.getUsage(),
              stopReason(reply.getStopReason()),
              reply.getProvider(),
              reply.getModel());
          return 0;
        });
  }
}
