"""A fake OpenAI Chat Completions upstream (``POST /v1/chat/completions``, JSON or SSE).

It plays a model that reads a file: to a conversation without a tool result it answers with one
native tool call (``tool_name`` with ``{"path": path}``); once a tool result is there, it answers
with text quoting that result. Every request body is kept in ``requests`` for the test to read.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List


class FakeOpenAI:
    def __init__(self, tool_name: str, path: str) -> None:
        self.tool_name = tool_name
        self.path = path
        self.requests: List[Dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                fake.requests.append(body)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, "application/json", b'{"error":{"message":"no such path"}}')
                    return
                message, finish = fake.answer(body["messages"])
                if body.get("stream"):
                    self._stream(body["model"], message, finish)
                else:
                    payload = {
                        "id": "chatcmpl-fake",
                        "object": "chat.completion",
                        "created": 1,
                        "model": body["model"],
                        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                    }
                    self._send(200, "application/json", json.dumps(payload).encode())

            def _stream(self, model: str, message: Dict[str, Any], finish: str) -> None:
                delta = dict(message)
                if "tool_calls" in delta:
                    delta["tool_calls"] = [dict(c, index=i) for i, c in enumerate(delta["tool_calls"])]
                base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1, "model": model}
                events = [
                    {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]},
                    {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]},
                    {**base, "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}},
                ]
                body = b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events) + b"data: [DONE]\n\n"
                self._send(200, "text/event-stream", body)

            def _send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def answer(self, messages: List[Dict[str, Any]]) -> "tuple[Dict[str, Any], str]":
        results = [m for m in messages if m.get("role") == "tool"]
        if results:
            return {"role": "assistant", "content": f"The file says: {results[-1].get('content')}"}, "stop"
        call = {
            "id": "call_read_1",
            "type": "function",
            "function": {"name": self.tool_name, "arguments": json.dumps({"path": self.path})},
        }
        return {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"

    def __enter__(self) -> "FakeOpenAI":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
