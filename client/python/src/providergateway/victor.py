"""A Victor provider that calls provider-gateway: ``ProviderRegistry`` name ``gateway``.

Install with ``pip install "provider-gateway-client[victor]"``. The package declares a
``victor.plugins`` entry point, so Victor's bootstrap registers the provider by itself and a
Victor user selects it like any built-in one::

    from victor.providers.registry import ProviderRegistry
    provider = ProviderRegistry.create("gateway", base_url="localhost:50051")
    reply = await provider.chat([Message(role="user", content="Hi")], model="echo/echo-1")

Outside Victor's bootstrap, importing this module registers it. The gateway does the resilience work
(circuit breakers, deadlines, upstream retries are its business), so this provider neither
retries nor keeps a client-side breaker; every gateway error arrives as the Victor error class
that CONTRACT.md's table names, with ``retry_after`` where the gateway gave ``RetryInfo``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import re
from typing import Any, AsyncIterator, Dict, List, Mapping, Optional, Sequence

import grpc
import grpc.aio
from google.protobuf import json_format
from victor.core.errors import (
    ModelNotFoundError,
    ProviderAuthError,
    ProviderConnectionError,
    ProviderError,
    ProviderInvalidResponseError,
    ProviderNotFoundError,
    ProviderRateLimitError,
    ProviderTimeoutError,
)
from victor.providers.base import (
    BaseProvider,
    CompletionResponse,
    Message,
    StreamChunk,
    ToolDefinition,
)
from victor.providers.runtime_capabilities import ProviderRuntimeCapabilities
from victor_contracts import PluginContext, VictorPlugin

from providergateway import _victor_capabilities
from providergateway._errors import GatewayError
from providergateway._requests import chat_request
from providergateway._tool_ids import pair_tool_ids
from providergateway.aio import AsyncClient
from providergateway.client import DEFAULT_TARGET
from providergateway.v1 import provider_service_pb2 as pb
from providergateway.v1 import provider_service_pb2_grpc as pb_grpc
from providergateway.v1 import types_pb2 as types

__all__ = ["PROVIDER_NAME", "GatewayPlugin", "GatewayProvider", "plugin", "register", "to_victor_error"]

logger = logging.getLogger(__name__)

#: The name under which the provider is registered in Victor's ``ProviderRegistry``.
PROVIDER_NAME = "gateway"
#: Environment variable with the gateway address when neither ``target`` nor ``base_url`` is given.
TARGET_ENV = "PROVIDER_GATEWAY_TARGET"
#: Environment variable with the caller's gateway key when ``api_key`` is not given.
API_KEY_ENV = "PROVIDER_GATEWAY_API_KEY"

_STOP_REASONS = {
    types.STOP_REASON_STOP: "stop",
    types.STOP_REASON_LENGTH: "length",
    types.STOP_REASON_TOOL_CALLS: "tool_calls",
    types.STOP_REASON_CONTENT_FILTER: "content_filter",
}
# ChatRequest fields that Victor passes as keyword arguments; any other non-None keyword
# argument goes to `extra`, which the gateway hands to the provider as it is.
_REQUEST_KWARGS = ("top_p", "stop", "seed", "response_format", "tool_choice", "reasoning_effort")
_AVAILABLE = re.compile(r"available providers?: (.+)$")


class GatewayProvider(BaseProvider):
    """Victor's ``BaseProvider`` backed by provider-gateway over gRPC.

    Args:
        api_key: sent as ``authorization: Bearer <api_key>`` when set (for gateways that check
            callers; default ``$PROVIDER_GATEWAY_API_KEY``); upstream provider keys stay in the
            gateway.
        base_url: the gateway address, ``host:port`` (also ``grpc://``, ``http://``; ``https://``
            or ``grpcs://`` use TLS). Defaults to ``$PROVIDER_GATEWAY_TARGET``, else
            ``localhost:50051``. ``target`` is an alias.
        timeout: deadline of each ``chat`` call, in seconds.
        gateway_provider: the gateway-side provider (name or alias); empty lets ``model``
            choose (``provider/model`` or a route alias) or the gateway's default answer.
        stream_timeout: deadline of each ``stream`` call in seconds; ``None`` (the default)
            bounds streams only by cancellation, since a long answer may stream for minutes.
        interceptors: ``grpc.aio`` client interceptors for the channel (metrics, tests).
        metadata: extra gRPC metadata sent with every call.
        declare_capabilities: ask ``ListProviders`` once at creation and write the gateway's
            tool capabilities into Victor's capability tables (see ``_victor_capabilities``), so
            Victor's agent gives tools to the models that take them; a gateway that cannot be
            reached is logged and asked again at the next capability query.

    Every call uses a ``grpc.aio`` channel of the running event loop, created on first use.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: int = 60,
        *,
        target: Optional[str] = None,
        gateway_provider: str = "",
        stream_timeout: Optional[float] = None,
        interceptors: Sequence[grpc.aio.ClientInterceptor] = (),
        metadata: Optional[Mapping[str, str]] = None,
        use_circuit_breaker: bool = False,
        declare_capabilities: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            use_circuit_breaker=use_circuit_breaker,
            **kwargs,
        )
        address = target or base_url or os.environ.get(TARGET_ENV) or DEFAULT_TARGET
        self._secure = address.startswith(("https://", "grpcs://"))
        self.target = re.sub(r"^[a-z]+://", "", address).rstrip("/")
        self.gateway_provider = gateway_provider
        self.stream_timeout = stream_timeout
        self._interceptors = list(interceptors)
        self._metadata = dict(metadata or {})
        api_key = api_key or os.environ.get(API_KEY_ENV)
        if api_key:
            self._metadata["authorization"] = f"Bearer {api_key}"
        self._clients: Dict[asyncio.AbstractEventLoop, AsyncClient] = {}
        self._info: Optional[pb.ProviderInfo] = None
        if declare_capabilities:
            # Victor builds the agent's tool-capability matrix right after creating the
            # provider: the gateway's table must be in Victor's tables by then.
            self._provider_info()

    @property
    def name(self) -> str:
        return PROVIDER_NAME

    async def chat(
        self,
        messages: List[Message],
        *,
        model: str,
        temperature: float = 0.7,
        max_tokens: int = 4096,
        tools: Optional[List[ToolDefinition]] = None,
        **kwargs: Any,
    ) -> CompletionResponse:
        request = self._request(messages, model, temperature, max_tokens, tools, kwargs)
        try:
            response = await self._client().chat(request, timeout=self.timeout)
        except GatewayError as error:
            raise self._error(error, model, self.timeout) from error
        return CompletionResponse(
            content=response.content,
            role=response.role or "assistant",
            tool_calls=_tool_calls(response.tool_calls),
            stop_reason=_stop_reason(response.stop_reason, response.native_stop_reason),
            usage=_usage(response.usage) if response.HasField("usage") else None,
            model=response.model or model,
            raw_response=json_format.MessageToDict(response, preserving_proto_field_name=True),
            metadata=_metadata(response) or None,
        )

    async def stream(  # type: ignore[override]
        self,
        messages: List[Message],
        *,
        model: str,
        temperature: float = 0.7,
        max_tokens: int = 4096,
        tools: Optional[List[ToolDefinition]] = None,
        **kwargs: Any,
    ) -> AsyncIterator[StreamChunk]:
        """Yields content chunks, then exactly one ``is_final`` chunk with every tool call
        (complete, arguments parsed), the usage and the stop reason. Closing the generator
        early (``aclose()``, or breaking out of ``stream_chat``) cancels the gRPC call, and the
        gateway cancels the upstream request."""
        request = self._request(messages, model, temperature, max_tokens, tools, kwargs)
        chunks = self._client().stream(request, timeout=self.stream_timeout)
        try:
            async for chunk in chunks:
                if chunk.is_final:
                    yield StreamChunk(
                        content=chunk.content,
                        tool_calls=_tool_calls(chunk.tool_calls),
                        stop_reason=_stop_reason(chunk.stop_reason, chunk.native_stop_reason),
                        is_final=True,
                        usage=_usage(chunk.usage) if chunk.HasField("usage") else None,
                        metadata=_metadata(chunk) or None,
                    )
                    return
                if chunk.content or chunk.reasoning_content:
                    yield StreamChunk(
                        content=chunk.content,
                        metadata=(
                            {"reasoning_content": chunk.reasoning_content}
                            if chunk.reasoning_content
                            else None
                        ),
                    )
        except GatewayError as error:
            raise self._error(error, model, self.stream_timeout) from error
        finally:
            # Runs on the final chunk, on an error, and when the consumer closes the
            # generator early (GeneratorExit at a yield): a running call is cancelled.
            chunks.cancel()
        raise ProviderInvalidResponseError(
            "the gateway ended the stream without a final chunk", provider=self.name, model=model
        )

    async def close(self) -> None:
        clients, self._clients = self._clients, {}
        loop = asyncio.get_running_loop()
        for owner, client in clients.items():
            if owner is loop:
                await client.close()
            # A channel of another (finished) loop cannot be awaited here; it is released
            # with its loop.

    # -- capabilities, answered from ListProviders -------------------------------------------

    def supports_tools(self) -> bool:
        return self._capabilities().tools

    def supports_streaming(self) -> bool:
        return self._capabilities().streaming

    def supports_vision(self) -> bool:
        return self._capabilities().vision

    def supports_prompt_caching(self) -> bool:
        return self._capabilities().prompt_caching

    def context_window(self, model: str) -> int:
        window = self._capabilities(model).context_window
        return window if window > 0 else self.DEFAULT_CONTEXT_WINDOW

    async def discover_capabilities(self, model: str) -> ProviderRuntimeCapabilities:
        client = self._client()
        try:
            providers = await client.list_providers(timeout=min(self.timeout, 10))
        except GatewayError as error:
            raise self._error(error, model, self.timeout) from error
        self._learn(providers)
        caps = self._capabilities(model)
        return ProviderRuntimeCapabilities(
            provider=self.name,
            model=model,
            context_window=caps.context_window or self.DEFAULT_CONTEXT_WINDOW,
            supports_tools=caps.tools,
            supports_streaming=caps.streaming,
            source="discovered",
            raw=json_format.MessageToDict(caps, preserving_proto_field_name=True),
        )

    def refresh_capabilities(self) -> None:
        """Forgets the cached ``ListProviders`` answer; the next capability query asks again."""
        self._info = None

    def _capabilities(self, model: Optional[str] = None) -> pb.Capabilities:
        info = self._provider_info()
        if info is None:
            return pb.Capabilities()
        wanted = (model or "").split("/", 1)[-1]
        for known in info.models:
            if wanted and known.id == wanted and known.HasField("capabilities"):
                return known.capabilities
        return info.capabilities

    def _provider_info(self) -> Optional[pb.ProviderInfo]:
        # Victor's capability queries are synchronous, so this asks over a short-lived blocking
        # channel and caches the answer; failures are not cached.
        if self._info is not None:
            return self._info
        try:
            with self._sync_channel() as channel:
                providers = pb_grpc.ProviderServiceStub(channel).ListProviders(
                    pb.ListProvidersRequest(),
                    timeout=min(self.timeout, 10),
                    metadata=list(self._metadata.items()) or None,
                )
        except grpc.RpcError as error:
            logger.warning(
                "provider-gateway at %s: ListProviders failed (%s); capabilities unknown",
                self.target,
                GatewayError.from_rpc_error(error),
            )
            return None
        self._learn(providers)
        return self._info

    def _learn(self, providers: pb.ListProvidersResponse) -> None:
        self._info = _pick_provider(providers, self.gateway_provider)
        try:
            _victor_capabilities.declare(providers)
        except Exception:  # a Victor release with other internals must not break calls
            logger.warning(
                "provider-gateway: could not declare tool capabilities to Victor", exc_info=True
            )

    # -- plumbing -----------------------------------------------------------------------------

    def _client(self) -> AsyncClient:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            for stale in [owner for owner in self._clients if owner.is_closed()]:
                del self._clients[stale]
            client = AsyncClient(
                self.target,
                credentials=grpc.ssl_channel_credentials() if self._secure else None,
                interceptors=self._interceptors,
                metadata=self._metadata,
            )
            self._clients[loop] = client
        return client

    def _sync_channel(self) -> grpc.Channel:
        if self._secure:
            return grpc.secure_channel(self.target, grpc.ssl_channel_credentials())
        return grpc.insecure_channel(self.target)

    def _request(
        self,
        messages: Sequence[Any],
        model: str,
        temperature: Optional[float],
        max_tokens: Optional[int],
        tools: Optional[Sequence[Any]],
        kwargs: Dict[str, Any],
    ) -> pb.ChatRequest:
        options = {k: v for k, v in kwargs.items() if v is not None}
        provider = options.pop("gateway_provider", None) or self.gateway_provider
        extra: Dict[str, Any] = dict(options.pop("extra", None) or {})
        tags = options.pop("tags", None)
        fields: Dict[str, Any] = {}
        for key in _REQUEST_KWARGS:
            if key in options:
                fields[key] = options.pop(key)
        if isinstance(fields.get("stop"), str):
            fields["stop"] = [fields["stop"]]
        if isinstance(fields.get("tool_choice"), Mapping):  # OpenAI's {"type": "function", ...}
            choice = fields["tool_choice"]
            fields["tool_choice"] = (choice.get("function") or {}).get("name") or choice.get("name")
        for key, value in options.items():
            try:
                json.dumps(value)
            except (TypeError, ValueError):
                logger.debug("provider-gateway: dropping non-JSON keyword argument %r", key)
                continue
            extra[key] = value
        return chat_request(
            pair_tool_ids([_message(m) for m in messages]),
            provider=provider,
            model=model or "",
            temperature=temperature,
            max_tokens=max_tokens,
            tools=list(tools) if tools else None,
            extra=extra or None,
            tags=tags,
            **fields,
        )

    def _error(self, error: GatewayError, model: str, timeout: Optional[float]) -> Exception:
        victor_error = to_victor_error(
            error,
            provider=self.gateway_provider or self.name,
            model=model,
            timeout=timeout,
        )
        if isinstance(victor_error, ProviderRateLimitError):
            # Victor's agent sleeps `retry_after` before its own retry, often with nothing on
            # screen: say at once what is happening and for how long.
            logger.warning(
                "provider-gateway: %s/%s is rate-limited (%s); retry after %s s",
                victor_error.provider,
                victor_error.model or "-",
                error.reason or error.code.name,
                victor_error.retry_after if victor_error.retry_after is not None else "?",
            )
        return victor_error


def to_victor_error(
    error: GatewayError,
    *,
    provider: Optional[str] = None,
    model: Optional[str] = None,
    timeout: Optional[float] = None,
) -> Exception:
    """The Victor exception for a gateway error, per the table in CONTRACT.md.

    ``provider``, ``model`` and ``status_code`` come from ``ErrorInfo.metadata`` when the gateway
    set them, else from the arguments; ``retry_after`` is ``RetryInfo`` rounded up to seconds.
    ``INVALID_REQUEST`` becomes ``ValueError``. Errors without a gateway reason (for example the
    client's own deadline, or an unreachable gateway) are mapped by their status code.
    """
    reason = error.reason
    code = error.code
    meta = error.error_metadata
    provider = meta.get("provider") or provider
    model = meta.get("model") or model
    http_status = meta.get("http_status", "")
    status_code = int(http_status) if http_status.isdigit() else None
    retry_after = math.ceil(error.retry_delay) if error.retry_delay is not None else None
    message = str(error)
    common: Dict[str, Any] = {"model": model, "raw_error": error}

    if reason == "INVALID_REQUEST" or (not reason and code == grpc.StatusCode.INVALID_ARGUMENT):
        return ValueError(message)
    if reason == "PROVIDER_NOT_FOUND":
        match = _AVAILABLE.search(error.message)
        available = [p.strip() for p in match.group(1).split(",")] if match else None
        return ProviderNotFoundError(
            message=message, provider=provider, available_providers=available, raw_error=error
        )
    if reason == "MODEL_NOT_FOUND":
        return ModelNotFoundError(
            message=message, provider=provider, model=model, status_code=status_code, raw_error=error
        )
    if reason in ("PROVIDER_AUTH", "GATEWAY_UNAUTHENTICATED", "GATEWAY_PERMISSION_DENIED") or (
        not reason and code in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)
    ):
        return ProviderAuthError(message, provider=provider, status_code=status_code, **common)
    if reason in (
        "PROVIDER_RATE_LIMIT",
        "PROVIDER_QUOTA",
        "CIRCUIT_OPEN",
        "GATEWAY_OVERLOADED",
        "BUDGET_EXCEEDED",
    ) or (
        not reason and code == grpc.StatusCode.RESOURCE_EXHAUSTED
    ):
        return ProviderRateLimitError(
            message, provider=provider, retry_after=retry_after, status_code=status_code, **common
        )
    if reason == "PROVIDER_TIMEOUT" or (not reason and code == grpc.StatusCode.DEADLINE_EXCEEDED):
        return ProviderTimeoutError(
            message,
            provider=provider,
            timeout=math.ceil(timeout) if timeout else None,
            status_code=status_code,
            **common,
        )
    if reason in ("PROVIDER_CONNECTION", "PROVIDER_UNAVAILABLE", "GATEWAY_UNAVAILABLE") or (
        not reason and code == grpc.StatusCode.UNAVAILABLE
    ):
        return ProviderConnectionError(message, provider=provider, status_code=status_code, **common)
    if reason == "PROVIDER_INVALID_RESPONSE":
        return ProviderInvalidResponseError(
            message, provider=provider, status_code=status_code, **common
        )
    return ProviderError(message, provider=provider, status_code=status_code, **common)


def register() -> None:
    """Registers :class:`GatewayProvider` in Victor's ``ProviderRegistry`` as ``gateway``.
    Idempotent; Victor's bootstrap does it through the ``victor.plugins`` entry point."""
    from victor.providers.registry import ProviderRegistry

    ProviderRegistry.register(PROVIDER_NAME, GatewayProvider)


class GatewayPlugin(VictorPlugin):
    """The ``victor.plugins`` entry point: registers the ``gateway`` provider at bootstrap."""

    @property
    def name(self) -> str:
        return "provider-gateway"

    def register(self, context: PluginContext) -> None:
        register()

    def get_cli_app(self) -> None:
        return None

    def on_activate(self) -> None:
        pass

    def on_deactivate(self) -> None:
        pass

    def health_check(self) -> Dict[str, Any]:
        return {"healthy": True}


plugin = GatewayPlugin()

# Importing this module is enough to use `gateway` outside Victor's bootstrap (which registers it
# through the `victor.plugins` entry point); registering twice is harmless.
register()


def _message(message: Any) -> Dict[str, Any]:
    """A dict for chat_request from a Victor ``Message`` (or a dict with its fields)."""
    if isinstance(message, Mapping):
        return dict(message)
    return {
        "role": message.role,
        "content": message.content,
        "name": message.name,
        "tool_calls": message.tool_calls,
        "tool_call_id": message.tool_call_id,
        "images": message.images,
    }


def _tool_calls(calls: Sequence[types.ToolCall]) -> Optional[List[Dict[str, Any]]]:
    """Victor's tool calls: ``{id, name, arguments}`` with ``arguments`` a parsed dict (the
    gateway sends ``{}`` for unparseable text and keeps the text in ``raw_arguments``)."""
    if not calls:
        return None
    result = []
    for call in calls:
        try:
            arguments = json.loads(call.arguments) if call.arguments else {}
        except ValueError:
            arguments = {}
        entry: Dict[str, Any] = {"id": call.id, "name": call.name, "arguments": arguments}
        if call.raw_arguments:
            entry["raw_arguments"] = call.raw_arguments
        result.append(entry)
    return result


def _stop_reason(reason: int, native: str) -> str:
    return _STOP_REASONS.get(reason) or native or "stop"


def _usage(usage: types.Usage) -> Dict[str, int]:
    result = {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }
    if usage.cache_write_tokens:
        result["cache_creation_input_tokens"] = usage.cache_write_tokens
    if usage.cache_read_tokens:
        result["cache_read_input_tokens"] = usage.cache_read_tokens
    if usage.reasoning_tokens:
        result["reasoning_tokens"] = usage.reasoning_tokens
    return result


def _metadata(message: Any) -> Dict[str, Any]:
    result: Dict[str, Any] = dict(message.metadata)
    for key in ("reasoning_content", "provider", "model", "native_stop_reason"):
        value = getattr(message, key, "")
        if value:
            result[key] = value
    return result


def _pick_provider(providers: pb.ListProvidersResponse, name: str) -> Optional[pb.ProviderInfo]:
    wanted = name or providers.default_provider
    for info in providers.providers:
        if info.name == wanted or wanted in info.aliases:
            return info
    return None
