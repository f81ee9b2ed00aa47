package dev.providergateway.resilience;

import dev.providergateway.provider.testing.FakeUpstream.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI Chat Completions wire fixtures for the fault tests (shapes as in OpenAI's API reference).
 */
final class Wire {
  static final String DONE = "data: [DONE]\n\n";

  private Wire() {}

  /** One SSE chunk whose delta carries {@code content}. */
  static String chunk(String content) {
    return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + content
        + "\"},\"finish_reason\":null}]}\n\n";
  }

  /** The SSE chunk that ends the answer. */
  static String finish() {
    return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
        + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}\n\n";
  }

  /** A non-streamed answer. */
  static String completionBody(String content) {
    return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\""
        + content
        + "\"},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}";
  }

  static Response completion(String content) {
    return Response.json(200, completionBody(content));
  }

  /** A streamed answer made of {@code pieces}, a finish chunk and {@code [DONE]}. */
  static Response streamed(String... pieces) {
    List<String> events = new ArrayList<>();
    for (String p : pieces) {
      events.add(chunk(p));
    }
    events.add(finish());
    events.add(DONE);
    return Response.sse(events);
  }

  /** The answer to a request, streamed or not as it asked. */
  static Response answer(boolean stream, String content) {
    return stream ? streamed(content) : completion(content);
  }

  /** An OpenAI error body. */
  static String error(String type, String message) {
    return "{\"error\":{\"message\":\""
        + message
        + "\",\"type\":\""
        + type
        + "\",\"param\":null,\"code\":\""
        + type
        + "\"}}";
  }
}
