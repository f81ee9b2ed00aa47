"""Python client for provider-gateway, the gRPC gateway in front of LLM providers.

>>> from providergateway import Client
>>> with Client("localhost:50051") as client:
...     print(client.chat("Hello, gateway", timeout=10).content)

:class:`Client` is blocking, :class:`AsyncClient` is its asyncio twin. Both return the generated
messages of :mod:`providergateway.v1` and raise :class:`GatewayError`. The Victor provider plugin
lives in :mod:`providergateway.victor` (install the ``victor`` extra).
"""

from providergateway._errors import DOMAIN, FieldViolation, GatewayError
from providergateway._requests import (
    assistant,
    chat_request,
    count_tokens_request,
    embed_request,
    system,
    tool_result,
    user,
)
from providergateway.aio import AsyncChunkStream, AsyncClient, AsyncConverseSession, AsyncTurn
from providergateway.client import ChunkStream, Client, ConverseSession, Turn
from providergateway.v1.provider_service_pb2 import (
    ChatRequest,
    CompletionResponse,
    CountTokensRequest,
    CountTokensResponse,
    EmbedRequest,
    EmbedResponse,
    ListProvidersResponse,
    StreamChunk,
)
from providergateway.v1.types_pb2 import Message, StopReason, ToolCall, ToolDefinition

__version__ = "0.1.0"

__all__ = [
    "DOMAIN",
    "AsyncChunkStream",
    "AsyncClient",
    "AsyncConverseSession",
    "AsyncTurn",
    "ChatRequest",
    "ChunkStream",
    "Client",
    "CompletionResponse",
    "ConverseSession",
    "FieldViolation",
    "GatewayError",
    "CountTokensRequest",
    "CountTokensResponse",
    "EmbedRequest",
    "EmbedResponse",
    "ListProvidersResponse",
    "count_tokens_request",
    "embed_request",
    "Message",
    "StopReason",
    "StreamChunk",
    "ToolCall",
    "ToolDefinition",
    "Turn",
    "assistant",
    "chat_request",
    "system",
    "tool_result",
    "user",
]
