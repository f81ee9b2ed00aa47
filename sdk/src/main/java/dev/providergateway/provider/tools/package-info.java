/**
 * Tool-call helpers for providers whose models write calls into their text instead of returning
 * them as structured data: {@link dev.providergateway.provider.tools.ToolCallTextFilter} finds
 * JSON, XML-like and LM Studio style calls, incrementally while streaming or in a whole reply.
 * Not thread-safe: one filter per response.
 */
package dev.providergateway.provider.tools;
