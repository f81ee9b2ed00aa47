package dev.providergateway.config;

/**
 * The {@code limits} section: how large a single request may be, checked before any provider sees
 * it.
 *
 * @param maxRequestBytes the largest serialized request, 1 KiB..{@code
 *     server.max_inbound_message_bytes}
 * @param maxMessages messages in one request, 1..100,000
 * @param maxTools tool definitions in one request, 0..10,000
 * @param maxTurnsPerStream turns on one bidirectional stream, 1..1024
 */
public record LimitsConfig(
    int maxRequestBytes, int maxMessages, int maxTools, int maxTurnsPerStream) {

  public LimitsConfig {
    // The upper bound against the server's message limit is checked by GatewayConfig.
    Checks.range("max_request_bytes", maxRequestBytes, Checks.KIB, Checks.GIB);
    Checks.range("max_messages", maxMessages, 1, 100_000);
    Checks.range("max_tools", maxTools, 0, 10_000);
    Checks.range("max_turns_per_stream", maxTurnsPerStream, 1, 1024);
  }

  /** Every default: 8 MiB, 4096 messages, 256 tools, 32 turns. */
  public static LimitsConfig defaults() {
    return new LimitsConfig(8 * 1024 * 1024, 4096, 256, 32);
  }
}
