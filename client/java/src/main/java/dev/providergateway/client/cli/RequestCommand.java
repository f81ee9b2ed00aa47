package dev.providergateway.client.cli;

import dev.providergateway.client.ChatRequests;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.ToolCall;
import dev.providergateway.v1.Usage;
import java.io.PrintStream;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The options shared by {@code chat} and {@code stream}, and the output they share. Picocli fills
 * the fields; an instance serves one invocation.
 */
abstract class RequestCommand {
  final GatewayCli root;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  @Option(
      names = {"-p", "--provider"},
      paramLabel = "PROVIDER",
      description = "Provider name or alias (default: the gateway's default provider).")
  String provider = "";

  @Option(
      names = {"-m", "--model"},
      paramLabel = "MODEL",
      description = "Model id, route alias or provider/model (default: the provider's default).")
  String model = "";

  @Option(names = "--system", paramLabel = "TEXT", description = "A system message to send first.")
  String system;

  @Option(
      names = {"-t", "--temperature"},
      paramLabel = "T",
      description = "Sampling temperature, 0.0 to 2.0.")
  Double temperature;

  @Option(names = "--max-tokens", paramLabel = "N", description = "Cap on output tokens.")
  Integer maxTokens;

  @Parameters(
      arity = "1..*",
      paramLabel = "MESSAGE",
      description = "The user message; several words are joined with spaces.")
  List<String> message;

  RequestCommand(GatewayCli root) {
    this.root = root;
  }

  ChatRequest toRequest() {
    ChatRequest.Builder request = ChatRequest.newBuilder().setProvider(provider).setModel(model);
    if (system != null) {
      request.addMessages(ChatRequests.system(system));
    }
    request.addMessages(ChatRequests.user(String.join(" ", message)));
    if (temperature != null) {
      request.setTemperature(temperature);
    }
    if (maxTokens != null) {
      request.setMaxTokens(maxTokens);
    }
    return request.build();
  }

  /** Prints one {@code tool_call NAME ARGUMENTS} line per call, after the reply's text. */
  static void printToolCalls(PrintStream out, List<ToolCall> toolCalls) {
    for (ToolCall call : toolCalls) {
      out.println("tool_call " + call.getName() + " " + call.getArguments());
    }
  }

  /**
   * Prints token counts and who answered to standard error, so standard output holds only the reply
   * and can be piped.
   */
  static void printUsage(
      PrintStream err, Usage usage, String stopReason, String provider, String model) {
    err.printf(
        "usage: prompt_tokens=%d completion_tokens=%d total_tokens=%d stop=%s provider=%s"
            + " model=%s%n",
        usage.getPromptTokens(),
        usage.getCompletionTokens(),
        usage.getTotalTokens(),
        stopReason,
        provider.isEmpty() ? "-" : provider,
        model.isEmpty() ? "-" : model);
  }

  /** Returns {@code STOP_REASON_TOOL_CALLS} as {@code tool_calls}. */
  static String stopReason(Enum<?> reason) {
    return reason.name().replaceFirst("^STOP_REASON_", "").toLowerCase(java.util.Locale.ROOT);
  }
}
