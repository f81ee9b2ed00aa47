"""Talks to a running gateway container for scripts/test-image.sh (one step per subcommand).

Uses the Python client (client/python) and grpcio; exits non-zero with a message on any failure.
  health HOST:PORT TIMEOUT_S          wait until grpc.health.v1.Health/Check answers SERVING
  chat HOST:PORT API_KEY              an echo Chat with the key answers; one without it is refused
  stream HOST:PORT API_KEY READY_FILE  stream slow echo words, touch READY_FILE after the first
                                      chunk, and require the stream to end normally
"""

import pathlib
import sys
import time

import grpc
from providergateway import Client, GatewayError

# grpc.health.v1: HealthCheckRequest{service: ""} is empty; SERVING is field 1 = 1.
_SERVING = b"\x08\x01"


def health(target: str, timeout_s: str) -> None:
    deadline = time.monotonic() + float(timeout_s)
    last = "no answer"
    with grpc.insecure_channel(target) as channel:
        check = channel.unary_unary("/grpc.health.v1.Health/Check")
        while time.monotonic() < deadline:
            try:
                if check(b"", timeout=2) == _SERVING:
                    print(f"health: SERVING at {target}")
                    return
                last = "answered, not SERVING"
            except grpc.RpcError as error:
                last = f"{error.code()}"
            time.sleep(0.5)
    sys.exit(f"health: no SERVING from {target} within {timeout_s}s (last: {last})")


def chat(target: str, api_key: str) -> None:
    auth = {"authorization": f"Bearer {api_key}"}
    with Client(target, timeout=10, metadata=auth) as client:
        reply = client.chat("hello from the image test", provider="echo")
        if "hello from the image test" not in reply.content:
            sys.exit(f"chat: unexpected echo {reply.content!r}")
        print(f"chat: echo answered {reply.content!r} ({reply.model})")
    with Client(target, timeout=10) as client:
        try:
            client.chat("no key", provider="echo")
        except GatewayError as error:
            if error.code != grpc.StatusCode.UNAUTHENTICATED:
                sys.exit(f"chat: a call without a key failed with {error}")
            print("chat: a call without a key is refused (UNAUTHENTICATED)")
            return
    sys.exit("chat: a call without a key succeeded")


def stream(target: str, api_key: str, ready_file: str) -> None:
    words = "one two three four five six seven eight nine ten"
    auth = {"authorization": f"Bearer {api_key}"}
    received = []
    with Client(target, timeout=60, metadata=auth) as client:
        with client.stream(words, provider="echo", extra={"echo_delay_ms": 300}) as chunks:
            for chunk in chunks:
                received.append(chunk.content)
                if len(received) == 1:
                    pathlib.Path(ready_file).touch()
                if chunk.is_final:
                    print(f"stream: ended normally ({chunk.stop_reason}) after {len(received)} chunks")
                    break
    if " ".join(w.strip() for w in received if w.strip()) != words:
        sys.exit(f"stream: words lost in the drain: {received!r}")


if __name__ == "__main__":
    commands = {"health": health, "chat": chat, "stream": stream}
    commands[sys.argv[1]](*sys.argv[2:])
