package dev.providergateway.client;

import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.Message;
import java.util.Objects;

/**
 * Shortcuts for building the common {@link ChatRequest}s and {@link Message}s.
 *
 * <p>They return ordinary protobuf builders and messages, so anything they do not cover (tools,
 * response formats, tags...) is set on the returned builder:
 *
 * <pre>{@code
 * ChatRequest request = ChatRequests.of("openai", "gpt-4o-mini", "Hello!")
 *     .setTemperature(0.2)
 *     .build();
 * }</pre>
 *
 * <p>Stateless; every method is thread-safe.
 */
public final class ChatRequests {
  private ChatRequests() {}

  /**
   * Starts a request that sends one user message to the given provider and model.
   *
   * @param provider registry name or alias of the provider; empty lets the gateway choose (from the
   *     model, a route alias, or its default provider)
   * @param model model id, route alias or {@code provider/model}; empty means the provider's
   *     default model
   * @param userText the user's message
   * @return a builder holding the provider, model and that one message
   */
  public static ChatRequest.Builder of(String provider, String model, String userText) {
    return ChatRequest.newBuilder()
        .setProvider(Objects.requireNonNull(provider, "provider"))
        .setModel(Objects.requireNonNull(model, "model"))
        .addMessages(user(userText));
  }

  /**
   * Starts a request that sends one user message to the gateway's default provider and model.
   *
   * @param userText the user's message
   * @return a builder holding that one message
   */
  public static ChatRequest.Builder of(String userText) {
    return of("", "", userText);
  }

  /**
   * Returns a {@code user} message.
   *
   * @param content the message text
   * @return the message
   */
  public static Message user(String content) {
    return message("user", content);
  }

  /**
   * Returns a {@code system} message.
   *
   * @param content the instructions
   * @return the message
   */
  public static Message system(String content) {
    return message("system", content);
  }

  /**
   * Returns an {@code assistant} message, to replay an earlier reply as history.
   *
   * @param content the reply's text
   * @return the message
   */
  public static Message assistant(String content) {
    return message("assistant", content);
  }

  /**
   * Returns a {@code tool} message answering an assistant's tool call.
   *
   * @param toolCallId the {@code id} of the tool call this message answers
   * @param content the tool's result
   * @return the message
   */
  public static Message tool(String toolCallId, String content) {
    return message("tool", content).toBuilder()
        .setToolCallId(Objects.requireNonNull(toolCallId, "toolCallId"))
        .build();
  }

  /**
   * Returns a message with any role.
   *
   * @param role lowercase role: {@code system}, {@code developer}, {@code user}, {@code assistant},
   *     {@code tool} or {@code function}
   * @param content the message text
   * @return the message
   */
  public static Message message(String role, String content) {
    return Message.newBuilder()
        .setRole(Objects.requireNonNull(role, "role"))
        .setContent(Objects.requireNonNull(content, "content"))
        .build();
  }
}
