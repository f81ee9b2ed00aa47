package dev.providergateway.provider.anthropic;

import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.TestTransport;
import java.net.URI;
import java.util.Map;

/**
 * Builders for Messages API wire fixtures, in the exact shapes of Anthropic's API reference
 * ("Messages", "Streaming Messages", "Errors"): SSE events are framed as {@code event: NAME\ndata:
 * JSON\n\n}.
 */
final class AnthropicFixtures {
  static final String MODEL = "claude-test-20250514";
  static final String PING = event("ping", "{\"type\": \"ping\"}");
  static final String MESSAGE_STOP = event("message_stop", "{\"type\":\"message_stop\"}");
  static final String TEXT_BLOCK = "{\"type\":\"text\",\"text\":\"\"}";
  static final String THINKING_BLOCK =
      "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}";

  private AnthropicFixtures() {}

  /** A provider named {@code anthropic-test} talking to {@code baseUri}, with {@code options}. */
  static ProviderSettings settings(URI baseUri, Map<String, Object> options) {
    return TestTransport.settings("anthropic-test", "anthropic")
        .baseUrl(baseUri.toString())
        .apiKey("sk-ant-test-key-123456")
        .options(options)
        .build();
  }

  static String event(String name, String json) {
    return "event: " + name + "\ndata: " + json + "\n\n";
  }

  static String messageStart(String usage) {
    return event(
        "message_start",
        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\","
            + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\""
            + MODEL
            + "\",\"stop_reason\":null,"
            + "\"stop_sequence\":null,\"usage\":"
            + usage
            + "}}");
  }

  static String blockStart(int index, String block) {
    return event(
        "content_block_start",
        "{\"type\":\"content_block_start\",\"index\":"
            + index
            + ",\"content_block\":"
            + block
            + "}");
  }

  static String delta(int index, String delta) {
    return event(
        "content_block_delta",
        "{\"type\":\"content_block_delta\",\"index\":" + index + ",\"delta\":" + delta + "}");
  }

  static String textDelta(int index, String text) {
    return delta(index, "{\"type\":\"text_delta\",\"text\":" + Json.write(text) + "}");
  }

  static String jsonDelta(int index, String partialJson) {
    return delta(
        index, "{\"type\":\"input_json_delta\",\"partial_json\":" + Json.write(partialJson) + "}");
  }

  static String thinkingDelta(int index, String thinking) {
    return delta(index, "{\"type\":\"thinking_delta\",\"thinking\":" + Json.write(thinking) + "}");
  }

  static String signatureDelta(int index, String signature) {
    return delta(
        index, "{\"type\":\"signature_delta\",\"signature\":" + Json.write(signature) + "}");
  }

  static String blockStop(int index) {
    return event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + index + "}");
  }

  static String messageDelta(String stopReason, String usage) {
    return event(
        "message_delta",
        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\""
            + stopReason
            + "\",\"stop_sequence\":null},\"usage\":"
            + usage
            + "}");
  }

  static String errorEvent(String type, String message) {
    return event(
        "error",
        "{\"type\":\"error\",\"error\":{\"type\":\""
            + type
            + "\",\"message\":"
            + Json.write(message)
            + "}}");
  }

  /** Usage as Anthropic reports it; {@code input} excludes the cached tokens. */
  static String usage(int input, int cacheWrite, int cacheRead, int output) {
    return "{\"input_tokens\":"
        + input
        + ",\"cache_creation_input_tokens\":"
        + cacheWrite
        + ",\"cache_read_input_tokens\":"
        + cacheRead
        + ",\"output_tokens\":"
        + output
        + "}";
  }

  /** A non-streamed message whose content is {@code blocks} (a JSON array). */
  static Response message(String blocks, String stopReason, String usage) {
    return Response.json(
        200,
        "{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":\"assistant\","
            + "\"model\":\""
            + MODEL
            + "\",\"content\":"
            + blocks
            + ",\"stop_reason\":\""
            + stopReason
            + "\",\"stop_sequence\":null,\"usage\":"
            + usage
            + "}");
  }

  /** A plain text answer. */
  static Response text(String text) {
    return message(
        "[{\"type\":\"text\",\"text\":" + Json.write(text) + "}]", "end_turn", usage(10, 0, 0, 3));
  }

  /** An error response in Anthropic's shape. */
  static Response error(int status, String type, String message) {
    return Response.json(
        status,
        "{\"type\":\"error\",\"error\":{\"type\":\""
            + type
            + "\",\"message\":"
            + Json.write(message)
            + "},\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}");
  }
}
