package dev.providergateway.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.providergateway.provider.CacheControl;
import dev.providergateway.provider.Image;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.ReasoningBlock;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.http.Json;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Maps a conversation onto the Messages API's shape: system and developer text lifted into the
 * top-level {@code system} blocks, and the rest as strictly alternating {@code user} and {@code
 * assistant} messages of content blocks. Tool results become {@code tool_result} blocks of a user
 * message, and consecutive messages of one role merge into one message, because Anthropic rejects
 * two user or two assistant messages in a row. Stateless.
 *
 * <p>A message's {@code name} has no place on this wire and is not sent.
 */
final class AnthropicMessages {

  /** The lifted system blocks (possibly empty) and the alternating messages. */
  record Conversation(ArrayNode system, ArrayNode messages) {}

  private AnthropicMessages() {}

  /**
   * The conversation of {@code messages}; throws {@link InvalidRequestException} naming a field.
   */
  static Conversation map(List<Message> messages) {
    ArrayNode system = Json.MAPPER.createArrayNode();
    List<Turn> turns = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      String path = "messages[" + i + "]";
      switch (m.role()) {
        case SYSTEM, DEVELOPER -> {
          if (!m.content().isEmpty()) {
            system.add(cached(text(m.content()), m.cacheControl()));
          }
        }
        case USER -> append(turns, "user", cached(userBlocks(m, path), m.cacheControl()));
        case ASSISTANT -> append(turns, "assistant", cached(assistantBlocks(m), m.cacheControl()));
        case TOOL -> append(turns, "user", List.of(cached(toolResult(m), m.cacheControl())));
        case FUNCTION ->
            throw InvalidRequestException.of(
                path + ".role",
                "the legacy function role has no Anthropic equivalent; send tool results as role tool with tool_call_id");
      }
    }
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (Turn turn : turns) {
      ObjectNode message = out.addObject().put("role", turn.role);
      if (turn.blocks.isEmpty()) {
        // Nothing to send; Anthropic answers an empty message with an error that names it.
        message.put("content", "");
        continue;
      }
      ArrayNode content = message.putArray("content");
      // Anthropic requires a user message's tool_result blocks to come before any other block.
      turn.blocks.stream().filter(AnthropicMessages::isToolResult).forEach(content::add);
      turn.blocks.stream().filter(b -> !isToolResult(b)).forEach(content::add);
    }
    return new Conversation(system, out);
  }

  /**
   * {@code block} with Anthropic's {@code cache_control} for {@code control} (none when null): the
   * prompt prefix up to and including the block is cached, for 5 minutes unless the TTL says 1h.
   */
  static ObjectNode cached(ObjectNode block, CacheControl control) {
    if (control != null) {
      block.set("cache_control", cacheControl(control));
    }
    return block;
  }

  /** The breakpoint on the last block of a message (its prefix ends there). */
  private static List<ObjectNode> cached(List<ObjectNode> blocks, CacheControl control) {
    if (control != null && !blocks.isEmpty()) {
      cached(blocks.get(blocks.size() - 1), control);
    }
    return blocks;
  }

  /**
   * {@code {"type": "ephemeral"}} with a {@code ttl} of {@code 5m} or {@code 1h} when one is set.
   */
  static ObjectNode cacheControl(CacheControl control) {
    ObjectNode c = Json.object().put("type", "ephemeral");
    switch (control.ttl()) {
      case FIVE_MINUTES -> c.put("ttl", "5m");
      case ONE_HOUR -> c.put("ttl", "1h");
      case DEFAULT -> {}
    }
    return c;
  }

  /** A text block. */
  static ObjectNode text(String text) {
    return Json.object().put("type", "text").put("text", text);
  }

  private static void append(List<Turn> turns, String role, List<ObjectNode> blocks) {
    Turn last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
    if (last != null && last.role.equals(role)) {
      last.blocks.addAll(blocks);
    } else {
      turns.add(new Turn(role, blocks));
    }
  }

  private static List<ObjectNode> userBlocks(Message m, String path) {
    List<ObjectNode> blocks = new ArrayList<>();
    // Anthropic's vision guide: Claude does best with images placed before the text about them.
    for (int i = 0; i < m.images().size(); i++) {
      blocks.add(image(m.images().get(i), path + ".images[" + i + "]"));
    }
    if (!m.content().isEmpty()) {
      blocks.add(text(m.content()));
    }
    return blocks;
  }

  private static List<ObjectNode> assistantBlocks(Message m) {
    List<ObjectNode> blocks = new ArrayList<>();
    // Thinking blocks go first, unchanged: with extended thinking and tool use, Anthropic checks
    // the signed blocks of the assistant turn that made the calls.
    for (ReasoningBlock r : m.reasoning()) {
      if (r.redacted()) {
        blocks.add(Json.object().put("type", "redacted_thinking").put("data", r.text()));
      } else if (!r.signature().isEmpty()) {
        blocks.add(
            Json.object()
                .put("type", "thinking")
                .put("thinking", r.text())
                .put("signature", r.signature()));
      }
      // An unsigned block (reasoning carried over from another provider) would be rejected.
    }
    if (!m.content().isEmpty()) {
      blocks.add(text(m.content()));
    }
    for (ToolCall call : m.toolCalls()) {
      ObjectNode use =
          Json.object().put("type", "tool_use").put("id", call.id()).put("name", call.name());
      JsonNode input = Json.tryParse(call.arguments());
      use.set("input", input != null && input.isObject() ? input : Json.object());
      blocks.add(use);
    }
    return blocks;
  }

  private static ObjectNode toolResult(Message m) {
    ObjectNode block = Json.object().put("type", "tool_result").put("tool_use_id", m.toolCallId());
    if (!m.content().isEmpty()) {
      block.put("content", m.content());
    }
    return block;
  }

  private static ObjectNode image(Image image, String path) {
    ObjectNode block = Json.object().put("type", "image");
    ObjectNode source = block.putObject("source");
    if (image instanceof Image.Inline inline) {
      source
          .put("type", "base64")
          .put("media_type", inline.mimeType())
          .put("data", Base64.getEncoder().encodeToString(inline.data()));
      return block;
    }
    String url = ((Image.Url) image).url();
    if (!url.startsWith("data:")) {
      source.put("type", "url").put("url", url);
      return block;
    }
    int comma = url.indexOf(',');
    String header = comma < 0 ? "" : url.substring("data:".length(), comma);
    if (!header.endsWith(";base64")) {
      throw InvalidRequestException.of(
          path + ".url", "a data: URL must be base64-encoded (data:image/png;base64,...)");
    }
    source
        .put("type", "base64")
        .put("media_type", header.substring(0, header.length() - ";base64".length()))
        .put("data", url.substring(comma + 1));
    return block;
  }

  private static boolean isToolResult(JsonNode block) {
    return block.path("type").asText().equals("tool_result");
  }

  /** One wire message being built. */
  private static final class Turn {
    private final String role;
    private final List<ObjectNode> blocks;

    private Turn(String role, List<ObjectNode> blocks) {
      this.role = role;
      this.blocks = new ArrayList<>(blocks);
    }
  }
}
