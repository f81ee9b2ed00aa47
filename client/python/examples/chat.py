"""Sends one message to provider-gateway, prints the reply, then streams it again.

    python examples/chat.py localhost:50051 "Hello, gateway"
"""

import sys

from providergateway import Client, GatewayError, StopReason


def main() -> int:
    target = sys.argv[1] if len(sys.argv) > 1 else "localhost:50051"
    text = " ".join(sys.argv[2:]) or "Hello, gateway"
    with Client(target, timeout=30) as client:
        try:
            reply = client.chat(text)
            print(f"{reply.content} ({reply.usage.total_tokens} tokens)")
            with client.stream(text) as chunks:
                for chunk in chunks:
                    print(chunk.content, end="", flush=True)
                    if chunk.is_final:
                        stop = StopReason.Name(chunk.stop_reason)
                        print(f"\nstop={stop} usage={chunk.usage.total_tokens}")
        except GatewayError as error:
            print(f"error: {error}", file=sys.stderr)
            if error.retry_delay is not None:
                print(f"retry after {error.retry_delay}s", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
