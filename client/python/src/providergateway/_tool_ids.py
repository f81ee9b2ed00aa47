"""Stable ids for tool calls that arrive without one, and for the tool results answering them.

Victor sometimes parses tool calls out of a model's text and hands them back in the next turn
with an empty ``id``, and the tool results then carry an empty (or a freshly made-up)
``tool_call_id``. The gateway requires every call to have an id and every tool result to name
one, so such a turn would fail with ``INVALID_ARGUMENT``. :func:`pair_tool_ids` fills the gaps
before the request is built; it never changes an id that was set and pairs correctly.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, List, Mapping


def pair_tool_ids(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Returns ``messages`` (dicts with ``role``, ``tool_calls``, ``tool_call_id``, ...) where
    every assistant tool call has an id and every tool result names one.

    - A call without an id gets ``call_`` plus a hash of its position, name and arguments, so
      the same history gives the same ids on every turn (Victor resends the whole history).
    - The tool results after an assistant message answer its calls in order: a result without an
      id (or with one that matches none of the calls) takes the id of the first call it can
      answer, preferring a call of the same ``name`` when the result has one; a call without an
      id that is answered by a result with an id of its own takes that id. Two ids that are both
      set and differ are left alone: that is a real mismatch.
    - A result that no call can answer keeps what it had, and the gateway's error names it.

    The input is not modified.
    """
    out = [dict(m) for m in messages]
    for i, message in enumerate(out):
        calls = message.get("tool_calls")
        if message.get("role") != "assistant" or not calls:
            continue
        calls = [_call_dict(c) for c in calls]
        message["tool_calls"] = calls
        known = {c["id"] for c in calls if c.get("id")}
        open_calls = list(calls)  # unanswered, in order
        j = i + 1
        while j < len(out) and out[j].get("role") == "tool":
            result = out[j] = dict(out[j])
            result_id = result.get("tool_call_id") or ""
            if result_id in known:
                open_calls = [c for c in open_calls if c.get("id") != result_id]
            else:
                # A result with an id of its own may only claim a call that has none: a real
                # mismatch between two set ids stays visible.
                candidates = [c for c in open_calls if not result_id or not c.get("id")]
                call = _first_answerable(candidates, result.get("name"))
                if call is not None:
                    if not call.get("id"):
                        call["id"] = result_id or _stable_id(i, calls.index(call), call)
                        known.add(call["id"])
                    result["tool_call_id"] = call["id"]
                    open_calls.remove(call)
            j += 1
        for index, call in enumerate(calls):
            if not call.get("id"):
                call["id"] = _stable_id(i, index, call)
    return out


def _call_dict(call: Any) -> Dict[str, Any]:
    if isinstance(call, Mapping):
        return dict(call)
    return {"id": getattr(call, "id", ""), "name": call.name, "arguments": call.arguments}


def _first_answerable(calls: List[Dict[str, Any]], name: Any) -> Any:
    if name:
        for call in calls:
            if _name(call) == name:
                return call
    return calls[0] if calls else None


def _name(call: Mapping[str, Any]) -> str:
    function = call.get("function")
    if isinstance(function, Mapping):
        return str(function.get("name") or "")
    return str(call.get("name") or "")


def _stable_id(message_index: int, call_index: int, call: Mapping[str, Any]) -> str:
    function = call.get("function") if isinstance(call.get("function"), Mapping) else call
    arguments = function.get("arguments")
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments, sort_keys=True, default=str)
    digest = hashlib.sha256(
        f"{message_index}\0{call_index}\0{_name(call)}\0{arguments}".encode()
    ).hexdigest()
    return f"call_{digest[:16]}"
