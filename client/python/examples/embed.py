"""Embeds texts and counts the tokens of a prompt through provider-gateway.

    python examples/embed.py localhost:50051 echo echo-1 "first text" "second text"

The built-in `echo` provider answers with deterministic demo vectors; name an embedding model of
a configured provider instead (for example `openai text-embedding-3-small`) for real ones.
"""

import sys

from providergateway import Client, GatewayError


def main() -> int:
    target = sys.argv[1] if len(sys.argv) > 1 else "localhost:50051"
    provider = sys.argv[2] if len(sys.argv) > 2 else "echo"
    model = sys.argv[3] if len(sys.argv) > 3 else "echo-1"
    texts = sys.argv[4:] or ["The food was delicious", "and the waiter..."]
    with Client(target, timeout=30) as client:
        try:
            response = client.embed(texts, provider=provider, model=model)
            for text, embedding in zip(texts, response.embeddings):
                head = ", ".join(f"{v:.4f}" for v in embedding.values[:4])
                print(f"{text!r}: {len(embedding.values)} dims [{head}, ...]")
            print(f"usage: {response.usage.prompt_tokens} input tokens")
            counted = client.count_tokens(texts[0], provider=provider)
            kind = "estimated" if counted.estimated else "counted by the provider"
            print(f"count_tokens({texts[0]!r}) = {counted.input_tokens} ({kind})")
        except GatewayError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
