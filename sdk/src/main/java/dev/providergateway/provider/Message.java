package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One conversation entry, mirroring Victor's {@code Message}. Strings are never null: an empty
 * {@code name} or {@code toolCallId} means none. {@code reasoning} holds an assistant message's
 * reasoning blocks as the provider returned them, for providers that need them back. {@code
 * cacheControl} is the caller's prompt-cache breakpoint at this message, or null when none.
 */
public record Message(
    Role role,
    String content,
    String name,
    List<ToolCall> toolCalls,
    String toolCallId,
    List<Image> images,
    List<ReasoningBlock> reasoning,
    CacheControl cacheControl) {

  public Message {
    requireNonNull(role, "role");
    requireNonNull(content, "content");
    requireNonNull(name, "name");
    toolCalls = List.copyOf(toolCalls);
    requireNonNull(toolCallId, "toolCallId");
    images = List.copyOf(images);
    reasoning = List.copyOf(reasoning);
  }

  /** A message without a cache breakpoint. */
  public Message(
      Role role,
      String content,
      String name,
      List<ToolCall> toolCalls,
      String toolCallId,
      List<Image> images,
      List<ReasoningBlock> reasoning) {
    this(role, content, name, toolCalls, toolCallId, images, reasoning, null);
  }

  /** This message with {@code value} as its cache breakpoint (null for none). */
  public Message withCacheControl(CacheControl value) {
    return new Message(role, content, name, toolCalls, toolCallId, images, reasoning, value);
  }

  /** A message without reasoning blocks. */
  public Message(
      Role role,
      String content,
      String name,
      List<ToolCall> toolCalls,
      String toolCallId,
      List<Image> images) {
    this(role, content, name, toolCalls, toolCallId, images, List.of());
  }

  /** A plain text message. */
  public static Message of(Role role, String content) {
    return new Message(role, content, "", List.of(), "", List.of());
  }

  /** An assistant message carrying tool calls. */
  public static Message assistant(String content, List<ToolCall> toolCalls) {
    return new Message(Role.ASSISTANT, content, "", toolCalls, "", List.of());
  }

  /** A tool result answering the call with id {@code toolCallId}. */
  public static Message toolResult(String toolCallId, String content) {
    return new Message(Role.TOOL, content, "", List.of(), toolCallId, List.of());
  }
}
