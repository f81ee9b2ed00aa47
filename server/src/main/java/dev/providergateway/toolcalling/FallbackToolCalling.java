package dev.providergateway.toolcalling;

import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.ToolChoice;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.http.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Tool calling for models that lack it: the tools are described in the system prompt with the exact
 * form to answer in, earlier tool calls and results are written into the conversation as text, and
 * the calls are parsed out of the model's reply ({@link ToolCallTextFilter}). JSON is asked for
 * when the model's table entry allows it, XML-like tags otherwise.
 */
public final class FallbackToolCalling {
  /** Response metadata key saying the tool calls were parsed from text. */
  public static final String METADATA_KEY = "tool_calls.source";

  private FallbackToolCalling() {}

  /** The request to send upstream: no tool fields; tools, calls and results as text. */
  public static ChatRequest rewrite(ChatRequest request, ToolCallingCapabilities caps) {
    boolean json = caps.jsonFallbackParsing();
    List<Message> messages = new ArrayList<>();
    boolean none =
        request.toolChoice() instanceof ToolChoice.Mode mode
            && mode.kind() == ToolChoice.Mode.Kind.NONE;
    String prompt = none ? "" : toolPrompt(request, json);
    boolean placed = none;
    for (Message m : request.messages()) {
      if (!placed && (m.role() == Role.SYSTEM || m.role() == Role.DEVELOPER)) {
        messages.add(
            new Message(
                m.role(), m.content() + "\n\n" + prompt, m.name(), List.of(), "", List.of()));
        placed = true;
      } else if (m.role() == Role.ASSISTANT && !m.toolCalls().isEmpty()) {
        String calls =
            m.toolCalls().stream().map(c -> render(c, json)).collect(Collectors.joining("\n"));
        String text = m.content().isEmpty() ? calls : m.content() + "\n" + calls;
        messages.add(
            new Message(Role.ASSISTANT, text, m.name(), List.of(), "", List.of(), m.reasoning()));
      } else if (m.role() == Role.TOOL) {
        messages.add(
            Message.of(Role.USER, "Result of tool call " + m.toolCallId() + ":\n" + m.content()));
      } else {
        messages.add(m);
      }
    }
    if (!placed) {
      messages.add(0, Message.of(Role.SYSTEM, prompt));
    }
    return request.toBuilder()
        .messages(messages)
        .tools(List.of())
        .toolChoice(ToolChoice.DEFAULT)
        .build();
  }

  /** The response with calls parsed out of its content. */
  public static CompletionResponse parse(CompletionResponse response, ChatRequest original) {
    ToolCallTextFilter.Result parsed =
        ToolCallTextFilter.parse(response.content(), toolNames(original));
    if (parsed.calls().isEmpty()) {
      return response;
    }
    List<ToolCall> calls = new ArrayList<>(response.toolCalls());
    calls.addAll(parsed.calls());
    Map<String, String> metadata = new LinkedHashMap<>(response.metadata());
    metadata.put(METADATA_KEY, "text");
    return new CompletionResponse(
        parsed.text().strip(),
        calls,
        StopReason.TOOL_CALLS,
        response.nativeStopReason(),
        response.usage(),
        response.model(),
        response.reasoningContent(),
        metadata,
        response.reasoningBlocks());
  }

  /** The names of the request's tools, which are the only calls accepted. */
  public static Set<String> toolNames(ChatRequest request) {
    return request.tools().stream()
        .map(ToolDefinition::name)
        .collect(Collectors.toUnmodifiableSet());
  }

  private static String toolPrompt(ChatRequest request, boolean json) {
    StringBuilder b =
        new StringBuilder(
            "You can call tools. To call a tool, answer with exactly this form and nothing"
                + " else for the call:\n");
    b.append(
        json
            ? "```json\n{\"name\": \"TOOL_NAME\", \"arguments\": {ARGUMENTS AS A JSON OBJECT}}\n```\n"
            : "<tool_call><name>TOOL_NAME</name><arguments>{ARGUMENTS AS A JSON OBJECT}</arguments></tool_call>\n");
    b.append(
        "Write one such block per call. After a call you will receive its result; then answer the user.\n");
    if (request.toolChoice() instanceof ToolChoice.Named named) {
      b.append("You must call the tool ").append(named.toolName()).append(".\n");
    } else if (request.toolChoice() instanceof ToolChoice.Mode mode
        && mode.kind() == ToolChoice.Mode.Kind.REQUIRED) {
      b.append("You must call at least one tool.\n");
    }
    b.append("Available tools:\n");
    for (ToolDefinition t : request.tools()) {
      b.append("- ")
          .append(t.name())
          .append(": ")
          .append(t.description())
          .append("\n  arguments JSON Schema: ")
          .append(Json.write(t.parameters()))
          .append('\n');
    }
    return b.toString();
  }

  private static String render(ToolCall call, boolean json) {
    return json
        ? "```json\n{\"name\": "
            + Json.write(call.name())
            + ", \"arguments\": "
            + call.arguments()
            + "}\n```"
        : "<tool_call><name>"
            + call.name()
            + "</name><arguments>"
            + call.arguments()
            + "</arguments></tool_call>";
  }
}
