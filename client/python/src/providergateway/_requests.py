"""Builds ``ChatRequest`` messages from plain Python values (shared by the sync and async clients)."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from google.protobuf import struct_pb2

from providergateway.v1 import provider_service_pb2 as pb
from providergateway.v1 import types_pb2 as types

__all__ = [
    "MessageLike",
    "Messages",
    "count_tokens_request",
    "embed_request",
    "assistant",
    "chat_request",
    "system",
    "tool_result",
    "user",
]

#: One conversation entry: a generated ``Message`` or a dict with its fields
#: (``role``, ``content``, ``name``, ``tool_calls``, ``tool_call_id``, ``images``).
MessageLike = Union[types.Message, Mapping[str, Any]]
#: A conversation: a string (one user message) or a sequence of entries, oldest first.
Messages = Union[str, Sequence[MessageLike]]

_TOOL_CHOICE_MODES = {
    "auto": types.ToolChoice.MODE_AUTO,
    "none": types.ToolChoice.MODE_NONE,
    "required": types.ToolChoice.MODE_REQUIRED,
}


def user(content: str, *, images: Iterable[str] = (), name: str = "") -> types.Message:
    """A ``user`` message; ``images`` are ``https://`` or ``data:`` URLs."""
    return types.Message(
        role="user", content=content, name=name, images=[types.Image(url=u) for u in images]
    )


def system(content: str) -> types.Message:
    """A ``system`` message."""
    return types.Message(role="system", content=content)


def assistant(content: str = "", *, tool_calls: Iterable[Any] = ()) -> types.Message:
    """An ``assistant`` message, with the tool calls it made (``ToolCall`` or dicts)."""
    return types.Message(
        role="assistant", content=content, tool_calls=[_tool_call(c) for c in tool_calls]
    )


def tool_result(tool_call_id: str, content: str) -> types.Message:
    """A ``tool`` message answering the tool call ``tool_call_id``."""
    return types.Message(role="tool", content=content, tool_call_id=tool_call_id)


def chat_request(
    messages: Union[Messages, pb.ChatRequest],
    *,
    provider: str = "",
    model: str = "",
    temperature: Optional[float] = None,
    max_tokens: Optional[int] = None,
    tools: Optional[Iterable[Any]] = None,
    tool_choice: Union[None, str, types.ToolChoice] = None,
    stop: Optional[Iterable[str]] = None,
    seed: Optional[int] = None,
    top_p: Optional[float] = None,
    response_format: Union[None, str, Mapping[str, Any], types.ResponseFormat] = None,
    reasoning_effort: str = "",
    extra: Optional[Mapping[str, Any]] = None,
    tags: Optional[Mapping[str, str]] = None,
) -> pb.ChatRequest:
    """Builds a ``ChatRequest``.

    ``messages`` is a string (one user message), a sequence of ``Message`` or dicts, or a
    ready ``ChatRequest`` (returned as it is; then no other argument may be given).
    ``tools`` are ``ToolDefinition`` or dicts ``{"name", "description", "parameters"}``;
    ``tool_choice`` is ``"auto"``, ``"none"``, ``"required"`` or a tool name;
    ``response_format`` is ``"text"``, ``"json_object"`` or
    ``{"type": "json_schema", "name": ..., "schema": {...}, "strict": bool}``;
    ``extra`` is any JSON-like dict passed to the provider as it is.
    """
    if isinstance(messages, pb.ChatRequest):
        given = [
            name
            for name, value in (
                ("provider", provider), ("model", model), ("temperature", temperature),
                ("max_tokens", max_tokens), ("tools", tools), ("tool_choice", tool_choice),
                ("stop", stop), ("seed", seed), ("top_p", top_p),
                ("response_format", response_format), ("reasoning_effort", reasoning_effort),
                ("extra", extra), ("tags", tags),
            )
            if value not in (None, "")
        ]
        if given:
            raise TypeError(f"a ready ChatRequest takes no other fields, got {', '.join(given)}")
        return messages
    request = pb.ChatRequest(
        provider=provider,
        model=model,
        messages=to_messages(messages),
        tools=[_tool_definition(t) for t in tools or ()],
        stop=list(stop or ()),
        reasoning_effort=reasoning_effort or "",
        tags=dict(tags or {}),
    )
    if temperature is not None:
        request.temperature = temperature
    if max_tokens is not None:
        request.max_tokens = max_tokens
    if seed is not None:
        request.seed = seed
    if top_p is not None:
        request.top_p = top_p
    if tool_choice is not None:
        request.tool_choice.CopyFrom(_tool_choice(tool_choice))
    if response_format is not None:
        request.response_format.CopyFrom(_response_format(response_format))
    if extra:
        request.extra.CopyFrom(to_struct(extra))
    return request


def to_messages(messages: Messages) -> List[types.Message]:
    """Messages from a string (one user message) or a sequence of ``Message`` / dicts."""
    if isinstance(messages, str):
        return [user(messages)]
    return [_message(m) for m in messages]


def to_struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    """A ``google.protobuf.Struct`` from a JSON-like dict."""
    struct = struct_pb2.Struct()
    struct.update(dict(value))
    return struct


def _message(value: MessageLike) -> types.Message:
    if isinstance(value, types.Message):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"a message must be a Message or a dict, got {type(value).__name__}")
    images = []
    for image in value.get("images") or ():
        images.append(image if isinstance(image, types.Image) else types.Image(url=str(image)))
    return types.Message(
        role=value.get("role") or "",
        content=value.get("content") or "",
        name=value.get("name") or "",
        tool_calls=[_tool_call(c) for c in value.get("tool_calls") or ()],
        tool_call_id=value.get("tool_call_id") or "",
        images=images,
    )


def _tool_call(value: Any) -> types.ToolCall:
    """A ToolCall from a ``ToolCall``, a neutral dict ``{id, name, arguments}`` or an OpenAI-style
    dict ``{id, type: "function", function: {name, arguments}}``; dict arguments become JSON."""
    if isinstance(value, types.ToolCall):
        return value
    function = value.get("function") if isinstance(value.get("function"), Mapping) else None
    name = (function or value).get("name") or ""
    arguments = (function or value).get("arguments")
    if arguments is None:
        arguments = "{}"
    elif not isinstance(arguments, str):
        arguments = json.dumps(arguments, separators=(",", ":"))
    return types.ToolCall(id=value.get("id") or "", name=name, arguments=arguments)


def _tool_definition(value: Any) -> types.ToolDefinition:
    if isinstance(value, types.ToolDefinition):
        return value
    get = value.get if isinstance(value, Mapping) else lambda key: getattr(value, key, None)
    definition = types.ToolDefinition(
        name=get("name") or "", description=get("description") or ""
    )
    parameters = get("parameters")
    if parameters is not None:
        definition.parameters.CopyFrom(to_struct(parameters))
    return definition


def _tool_choice(value: Union[str, types.ToolChoice]) -> types.ToolChoice:
    if isinstance(value, types.ToolChoice):
        return value
    mode = _TOOL_CHOICE_MODES.get(value)
    return types.ToolChoice(mode=mode) if mode is not None else types.ToolChoice(tool_name=value)


def _response_format(value: Union[str, Mapping[str, Any], types.ResponseFormat]) -> types.ResponseFormat:
    if isinstance(value, types.ResponseFormat):
        return value
    spec: Dict[str, Any] = {"type": value} if isinstance(value, str) else dict(value)
    kind = spec.get("type")
    if kind == "text":
        return types.ResponseFormat(text=types.ResponseFormat.TextFormat())
    if kind == "json_object":
        return types.ResponseFormat(json_object=types.ResponseFormat.JsonObjectFormat())
    if kind == "json_schema":
        # Also accept OpenAI's shape, {"type": "json_schema", "json_schema": {...}}.
        body = spec.get("json_schema") if isinstance(spec.get("json_schema"), Mapping) else spec
        schema = types.ResponseFormat.JsonSchemaFormat(
            name=body.get("name") or "", strict=bool(body.get("strict"))
        )
        schema.schema.CopyFrom(to_struct(body.get("schema") or {}))
        return types.ResponseFormat(json_schema=schema)
    raise ValueError(f"response_format type must be text, json_object or json_schema, got {kind!r}")


def metadata_pairs(metadata: Optional[Mapping[str, str]]) -> Optional[List[Tuple[str, str]]]:
    """gRPC call metadata from a mapping; ``None`` when empty."""
    return list(metadata.items()) if metadata else None


def embed_request(
    inputs: Union[str, Sequence[str], pb.EmbedRequest],
    **fields: Any,
) -> pb.EmbedRequest:
    """Builds an ``EmbedRequest``: one text or a list of texts, plus ``provider``, ``model``,
    ``dimensions``, ``encoding`` (``"float"`` or ``"base64"``), ``extra`` (a dict) and ``tags``.
    A ready ``EmbedRequest`` is returned as it is (no other fields allowed)."""
    if isinstance(inputs, pb.EmbedRequest):
        if fields:
            raise TypeError("pass either a ready EmbedRequest or fields, not both")
        return inputs
    texts = [inputs] if isinstance(inputs, str) else list(inputs)
    extra = fields.pop("extra", None)
    encoding = fields.pop("encoding", None)
    request = pb.EmbedRequest(inputs=texts, **fields)
    if encoding is not None:
        request.encoding = {
            "float": pb.EMBEDDING_ENCODING_FLOAT,
            "base64": pb.EMBEDDING_ENCODING_BASE64,
        }.get(encoding, encoding)
    if extra:
        request.extra.update(extra)
    return request


def count_tokens_request(
    messages: Union[Messages, pb.ChatRequest, pb.CountTokensRequest], **fields: Any
) -> pb.CountTokensRequest:
    """Builds a ``CountTokensRequest`` around the ``ChatRequest`` that ``chat_request`` would
    build from the same arguments."""
    if isinstance(messages, pb.CountTokensRequest):
        if fields:
            raise TypeError("pass either a ready CountTokensRequest or fields, not both")
        return messages
    return pb.CountTokensRequest(request=chat_request(messages, **fields))
