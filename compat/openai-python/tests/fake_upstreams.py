"""Fake LLM upstreams speaking the real wire formats the gateway's providers call.

One threaded HTTP server answers three formats, each as the vendor's API reference shows it:
OpenAI Chat Completions (`POST /v1/chat/completions`, JSON or SSE with `[DONE]`), Anthropic
Messages (`POST /v1/messages`, JSON or SSE events `message_start` ... `message_stop`) and Google
Gemini (`POST /v1beta/models/{model}:generateContent`, or `:streamGenerateContent?alt=sse`), plus
OpenAI Embeddings (`POST /v1/embeddings`: input i gets `EMBEDDING` scaled by i + 1, as floats or,
when asked, base64 of little-endian float32).

A request with tools is answered with two parallel calls of its first tool (cities Paris and
Tokyo); one asking for JSON output (OpenAI `response_format`, the gateway's Anthropic/Gemini
mapping) gets `{"answer": 42}`; anything else gets `Hello from <format>`. Every request is kept in
`requests` so tests can check what reached the upstream.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CITIES = ("Paris", "Tokyo")


class Upstreams:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict]] = []
        self._lock = threading.Lock()
        upstreams = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                with upstreams._lock:
                    upstreams.requests.append((self.path, body))
                if self.path.startswith("/v1/chat/completions"):
                    openai(self, body)
                elif self.path.startswith("/v1/embeddings"):
                    openai_embeddings(self, body)
                elif self.path.startswith("/v1/messages"):
                    anthropic(self, body)
                elif ":generateContent" in self.path or ":streamGenerateContent" in self.path:
                    gemini(self, body, ":streamGenerateContent" in self.path)
                else:
                    self.send_error(404)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def count(self, path_part: str) -> int:
        with self._lock:
            return sum(1 for p, _ in self.requests if path_part in p)

    def last(self, path_part: str) -> dict:
        with self._lock:
            return [b for p, b in self.requests if path_part in p][-1]

    def close(self) -> None:
        self.server.shutdown()


def _json(h: BaseHTTPRequestHandler, payload: dict) -> None:
    data = json.dumps(payload).encode()
    h.send_response(200)
    h.send_header("content-type", "application/json")
    h.send_header("content-length", str(len(data)))
    h.end_headers()
    h.wfile.write(data)


def _sse(h: BaseHTTPRequestHandler, events: list[str]) -> None:
    h.send_response(200)
    h.send_header("content-type", "text/event-stream")
    h.send_header("connection", "close")
    h.end_headers()
    for e in events:
        h.wfile.write(e.encode())
        h.wfile.flush()
    h.close_connection = True


def _wants_json(body: dict) -> bool:
    fmt = body.get("response_format") or {}
    if fmt.get("type") in ("json_object", "json_schema"):
        return True
    gen = body.get("generationConfig") or {}
    if gen.get("responseMimeType") == "application/json":
        return True
    # Anthropic has no JSON mode: the gateway asks for it in the system prompt.
    system = body.get("system")
    text = json.dumps(system) if system is not None else ""
    return "JSON" in text


# ---- OpenAI Embeddings

EMBEDDING = (0.25, -0.5, 1.0, 0.125)


def openai_embeddings(h: BaseHTTPRequestHandler, body: dict) -> None:
    import base64
    import struct

    inputs = body.get("input")
    inputs = [inputs] if isinstance(inputs, str) else inputs
    data = []
    for i, _ in enumerate(inputs):
        vector = [v * (i + 1) for v in EMBEDDING]
        if body.get("encoding_format") == "base64":
            embedding = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
        else:
            embedding = vector
        data.append({"object": "embedding", "index": i, "embedding": embedding})
    _json(
        h,
        {
            "object": "list",
            "data": data,
            "model": body.get("model", "m"),
            "usage": {"prompt_tokens": 5, "total_tokens": 5},
        },
    )


# ---- OpenAI Chat Completions


def openai(h: BaseHTTPRequestHandler, body: dict) -> None:
    model = body.get("model", "m")
    tools = body.get("tools") or []
    text = '{"answer": 42}' if _wants_json(body) else "Hello from openai"
    usage = {
        "prompt_tokens": 12,
        "completion_tokens": 7,
        "total_tokens": 19,
        "prompt_tokens_details": {"cached_tokens": 4},
        "completion_tokens_details": {"reasoning_tokens": 2},
    }
    if not body.get("stream"):
        message: dict = {"role": "assistant", "content": None if tools else text}
        if tools:
            name = tools[0]["function"]["name"]
            message["tool_calls"] = [
                {
                    "id": f"call_{i}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps({"city": c})},
                }
                for i, c in enumerate(CITIES)
            ]
        _json(
            h,
            {
                "id": "chatcmpl-up",
                "object": "chat.completion",
                "created": 1,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": message,
                        "finish_reason": "tool_calls" if tools else "stop",
                    }
                ],
                "usage": usage,
            },
        )
        return

    def chunk(delta: dict, finish=None) -> str:
        c = {
            "id": "chatcmpl-up",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(c)}\n\n"

    events = [chunk({"role": "assistant", "content": ""})]
    if tools:
        name = tools[0]["function"]["name"]
        for i, c in enumerate(CITIES):
            args = json.dumps({"city": c})
            events.append(
                chunk(
                    {
                        "tool_calls": [
                            {
                                "index": i,
                                "id": f"call_{i}",
                                "type": "function",
                                "function": {"name": name, "arguments": args[:6]},
                            }
                        ]
                    }
                )
            )
            events.append(
                chunk({"tool_calls": [{"index": i, "function": {"arguments": args[6:]}}]})
            )
        events.append(chunk({}, "tool_calls"))
    else:
        for word in text.split(" "):
            events.append(chunk({"content": word + " "}))
        events.append(chunk({}, "stop"))
    if (body.get("stream_options") or {}).get("include_usage"):
        events.append(
            "data: "
            + json.dumps(
                {
                    "id": "chatcmpl-up",
                    "object": "chat.completion.chunk",
                    "created": 1,
                    "model": model,
                    "choices": [],
                    "usage": usage,
                }
            )
            + "\n\n"
        )
    events.append("data: [DONE]\n\n")
    _sse(h, events)


# ---- Anthropic Messages


def anthropic(h: BaseHTTPRequestHandler, body: dict) -> None:
    model = body.get("model", "claude")
    tools = body.get("tools") or []
    text = '{"answer": 42}' if _wants_json(body) else "Hello from anthropic"
    usage = {"input_tokens": 10, "output_tokens": 6, "cache_read_input_tokens": 3}
    if not body.get("stream"):
        if tools:
            content = [
                {"type": "tool_use", "id": f"toolu_{i}", "name": tools[0]["name"], "input": {"city": c}}
                for i, c in enumerate(CITIES)
            ]
        else:
            content = [{"type": "text", "text": text}]
        _json(
            h,
            {
                "id": "msg_up",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": content,
                "stop_reason": "tool_use" if tools else "end_turn",
                "stop_sequence": None,
                "usage": usage,
            },
        )
        return

    def ev(name: str, data: dict) -> str:
        return f"event: {name}\ndata: {json.dumps(data)}\n\n"

    events = [
        ev(
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": "msg_up",
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [],
                    "stop_reason": None,
                    "usage": {"input_tokens": 10, "output_tokens": 1, "cache_read_input_tokens": 3},
                },
            },
        )
    ]
    if tools:
        for i, c in enumerate(CITIES):
            events.append(
                ev(
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": i,
                        "content_block": {
                            "type": "tool_use",
                            "id": f"toolu_{i}",
                            "name": tools[0]["name"],
                            "input": {},
                        },
                    },
                )
            )
            args = json.dumps({"city": c})
            for part in (args[:5], args[5:]):
                events.append(
                    ev(
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": i,
                            "delta": {"type": "input_json_delta", "partial_json": part},
                        },
                    )
                )
            events.append(ev("content_block_stop", {"type": "content_block_stop", "index": i}))
        stop = "tool_use"
    else:
        events.append(
            ev(
                "content_block_start",
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            )
        )
        for word in text.split(" "):
            events.append(
                ev(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": word + " "}},
                )
            )
        events.append(ev("content_block_stop", {"type": "content_block_stop", "index": 0}))
        stop = "end_turn"
    events.append(
        ev(
            "message_delta",
            {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None}, "usage": {"output_tokens": 6}},
        )
    )
    events.append(ev("message_stop", {"type": "message_stop"}))
    _sse(h, events)


# ---- Google Gemini


def gemini(h: BaseHTTPRequestHandler, body: dict, stream: bool) -> None:
    declarations = []
    for t in body.get("tools") or []:
        declarations += t.get("functionDeclarations") or t.get("function_declarations") or []
    text = '{"answer": 42}' if _wants_json(body) else "Hello from gemini"
    usage = {"promptTokenCount": 9, "candidatesTokenCount": 5, "totalTokenCount": 14, "cachedContentTokenCount": 2}
    if declarations:
        parts = [{"functionCall": {"name": declarations[0]["name"], "args": {"city": c}}} for c in CITIES]
    else:
        parts = [{"text": text}]
    if not stream:
        _json(
            h,
            {
                "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
                "usageMetadata": usage,
                "modelVersion": "gemini-fake",
            },
        )
        return
    events = []
    if declarations:
        events.append({"candidates": [{"content": {"role": "model", "parts": parts}, "index": 0}], "modelVersion": "gemini-fake"})
    else:
        words = text.split(" ")
        for w in words:
            events.append({"candidates": [{"content": {"role": "model", "parts": [{"text": w + " "}]}, "index": 0}], "modelVersion": "gemini-fake"})
    events.append(
        {
            "candidates": [{"content": {"role": "model", "parts": [{"text": ""}]}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": usage,
            "modelVersion": "gemini-fake",
        }
    )
    _sse(h, [f"data: {json.dumps(e)}\r\n\r\n" for e in events])
