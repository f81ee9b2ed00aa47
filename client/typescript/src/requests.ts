import { ChatRequest, type DeepPartial, type EmbedRequest } from "./gen/providergateway/v1/provider_service";
import { Message, type ToolCall } from "./gen/providergateway/v1/types";

/**
 * A chat request: a string (one user message) or the fields of a `ChatRequest`, for example
 * `{ provider: "echo", messages: [{ role: "user", content: "Hi" }], extra: { echo_delay_ms: 5 } }`.
 */
export type ChatRequestInit = string | DeepPartial<ChatRequest>;

/** Builds a `ChatRequest` from a string (one user message) or its fields. */
export function chatRequest(init: ChatRequestInit): ChatRequest {
  return typeof init === "string"
    ? ChatRequest.fromPartial({ messages: [{ role: "user", content: init }] })
    : ChatRequest.fromPartial(init);
}

/** A `user` message; `images` are `https://` or `data:` URLs. */
export function user(content: string, images: readonly string[] = []): Message {
  return Message.fromPartial({ role: "user", content, images: images.map((url) => ({ url })) });
}

/** A `system` message. */
export function system(content: string): Message {
  return Message.fromPartial({ role: "system", content });
}

/** An `assistant` message with the tool calls it made. */
export function assistant(content: string, toolCalls: readonly DeepPartial<ToolCall>[] = []): Message {
  return Message.fromPartial({ role: "assistant", content, toolCalls: [...toolCalls] });
}

/** A `tool` message answering the tool call `toolCallId`. */
export function toolResult(toolCallId: string, content: string): Message {
  return Message.fromPartial({ role: "tool", content, toolCallId });
}

/**
 * An embed request's fields, for example `{ model: "openai/text-embedding-3-small", inputs: ["a", "b"],
 * dimensions: 256 }`.
 */
export type EmbedRequestInit = DeepPartial<EmbedRequest>;
