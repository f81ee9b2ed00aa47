"""The Victor provider plugin against the real gateway (see conftest.py), plus its error table."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import grpc
import grpc.aio
import pytest
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2
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
from victor.core.plugins.registry import PluginRegistry
from victor.providers.base import (
    BaseProvider,
    CompletionResponse,
    Message,
    StreamChunk,
    ToolDefinition,
)
from victor.providers.registry import ProviderRegistry

from providergateway import GatewayError
from providergateway.victor import GatewayProvider, to_victor_error

WEATHER = ToolDefinition(
    name="get_weather",
    description="Returns the weather of a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}},
)


class RecordingInterceptor(grpc.aio.UnaryStreamClientInterceptor):
    """Keeps every Stream call the provider makes, so a test can read its final status."""

    def __init__(self) -> None:
        self.calls: List[Any] = []

    async def intercept_unary_stream(self, continuation, client_call_details, request):
        call = await continuation(client_call_details, request)
        self.calls.append(call)
        return call


@pytest.fixture(scope="module")
def registered() -> None:
    # What Victor's bootstrap does: discover `victor.plugins` entry points, let each register.
    plugins = PluginRegistry.get_instance()
    plugins.discover(force=True)
    plugins.register_all()


def user(text: str) -> List[Message]:
    return [Message(role="user", content=text)]


def run(coroutine):
    return asyncio.run(coroutine)


def test_plugin_is_found_through_victors_registries(registered: None, gateway_target: str) -> None:
    assert "provider-gateway" in [p.name for p in PluginRegistry.get_instance().list_plugins()]
    assert ProviderRegistry.is_registered("gateway")
    assert ProviderRegistry.get("gateway") is GatewayProvider

    provider = ProviderRegistry.create("gateway", base_url=gateway_target)

    assert isinstance(provider, BaseProvider)
    assert provider.name == "gateway"


def test_capabilities_come_from_list_providers(gateway_target: str) -> None:
    provider = GatewayProvider(base_url=gateway_target)

    assert provider.supports_tools() and provider.supports_streaming()
    assert not provider.supports_vision() and not provider.supports_prompt_caching()
    assert provider.context_window("echo-1") == 32768
    discovered = run(_discover(provider))
    assert discovered.supports_tools and discovered.context_window == 32768


async def _discover(provider: GatewayProvider):
    try:
        return await provider.discover_capabilities("echo-1")
    finally:
        await provider.close()


def test_chat_returns_victors_completion_response(gateway_target: str) -> None:
    async def scenario() -> CompletionResponse:
        async with GatewayProvider(base_url=gateway_target, gateway_provider="echo") as provider:
            return await provider.chat(user("Hello, Victor"), model="echo-1")

    response = run(scenario())

    assert isinstance(response, CompletionResponse)
    assert response.content == "Hello, Victor"
    assert response.role == "assistant"
    assert response.stop_reason == "stop"
    assert response.tool_calls is None
    assert response.usage == {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4}
    assert response.model == "echo-1"
    assert response.metadata["provider"] == "echo"


def test_chat_tool_call_has_parsed_arguments(gateway_target: str) -> None:
    async def scenario() -> CompletionResponse:
        async with GatewayProvider(base_url=gateway_target) as provider:
            return await provider.chat(
                user('call get_weather {"city":"Paris"}'), model="echo/echo-1", tools=[WEATHER]
            )

    response = run(scenario())

    assert response.stop_reason == "tool_calls"
    assert response.tool_calls == [
        {"id": "echo_call_0", "name": "get_weather", "arguments": {"city": "Paris"}}
    ]


def test_chat_sends_victor_tool_history(gateway_target: str) -> None:
    messages = [
        Message(role="user", content="weather in Oslo?"),
        Message(
            role="assistant",
            content="",
            tool_calls=[{"id": "c1", "name": "get_weather", "arguments": {"city": "Oslo"}}],
        ),
        Message(role="tool", content="sunny", tool_call_id="c1"),
    ]

    async def scenario() -> CompletionResponse:
        async with GatewayProvider(base_url=gateway_target) as provider:
            return await provider.chat(messages, model="", tools=[WEATHER])

    assert run(scenario()).content == "sunny"


def test_stream_returns_victor_chunks_with_tool_calls_on_the_final_one(gateway_target: str) -> None:
    async def scenario() -> List[StreamChunk]:
        async with GatewayProvider(base_url=gateway_target) as provider:
            return [
                chunk
                async for chunk in provider.stream(
                    user('look it up\ncall get_weather {"city":"Paris"}'),
                    model="echo-1",
                    tools=[WEATHER],
                )
            ]

    chunks = run(scenario())

    assert all(isinstance(c, StreamChunk) for c in chunks)
    assert [c.is_final for c in chunks].count(True) == 1 and chunks[-1].is_final
    assert all(c.tool_calls is None for c in chunks[:-1])
    final = chunks[-1]
    assert final.stop_reason == "tool_calls"
    assert final.tool_calls == [
        {"id": "echo_call_0", "name": "get_weather", "arguments": {"city": "Paris"}}
    ]
    assert final.usage["total_tokens"] > 0


def test_stream_content_arrives_word_by_word(gateway_target: str) -> None:
    async def scenario() -> List[StreamChunk]:
        async with GatewayProvider(base_url=gateway_target) as provider:
            return [c async for c in provider.stream_chat(user("one two three"), model="echo-1")]

    chunks = run(scenario())

    assert [c.content for c in chunks] == ["one", " two", " three", ""]
    assert chunks[-1].stop_reason == "stop" and chunks[-1].usage["completion_tokens"] == 3


def test_stream_closed_early_cancels_the_grpc_call(gateway_target: str) -> None:
    recorder = RecordingInterceptor()

    async def scenario() -> grpc.StatusCode:
        async with GatewayProvider(base_url=gateway_target, interceptors=[recorder]) as provider:
            stream = provider.stream(
                user("a b c d e f g h i j"), model="echo-1", echo_delay_ms=300
            )
            first = await stream.__anext__()
            assert first.content == "a"
            await stream.aclose()  # what Victor's agent does once it has what it needs
            [call] = recorder.calls
            return await asyncio.wait_for(call.code(), timeout=1)

    assert run(scenario()) == grpc.StatusCode.CANCELLED


def test_errors_arrive_as_victor_classes(gateway_target: str) -> None:
    async def scenario() -> Dict[str, BaseException]:
        errors: Dict[str, BaseException] = {}
        async with GatewayProvider(base_url=gateway_target, timeout=20) as provider:
            attempts = {
                "unknown provider": provider.chat(user("x"), model="", gateway_provider="nope"),
                "invalid request": provider.chat([Message(role="robot", content="x")], model=""),
                # The second and last simulated upstream failure of this session.
                "rate limit": provider.chat(
                    user("x"),
                    model="echo-rate-limited",
                    echo_error="PROVIDER_RATE_LIMIT",
                    echo_retry_after_ms=1500,
                ),
            }
            for name, attempt in attempts.items():
                try:
                    await attempt
                except Exception as error:  # noqa: BLE001 - the test inspects it
                    errors[name] = error
            short = GatewayProvider(base_url=gateway_target, timeout=0.3)  # type: ignore[arg-type]
            try:
                await short.chat(user("slow"), model="", echo_delay_ms=5000)
            except Exception as error:  # noqa: BLE001
                errors["deadline"] = error
            finally:
                await short.close()
            try:
                async for _ in provider.stream(user("x"), model="", gateway_provider="nope"):
                    pass
            except Exception as error:  # noqa: BLE001
                errors["stream unknown provider"] = error
        return errors

    errors = run(scenario())

    assert isinstance(errors["unknown provider"], ProviderNotFoundError)
    assert errors["unknown provider"].available_providers == ["echo"]
    assert type(errors["invalid request"]) is ValueError
    assert "messages[0].role" in str(errors["invalid request"])
    rate_limit = errors["rate limit"]
    assert isinstance(rate_limit, ProviderRateLimitError)
    assert rate_limit.retry_after == 2  # 1.5 s, rounded up to Victor's whole seconds
    assert rate_limit.provider == "echo"
    assert isinstance(rate_limit.raw_error, GatewayError)
    assert isinstance(errors["deadline"], ProviderTimeoutError)
    assert isinstance(errors["stream unknown provider"], ProviderNotFoundError)


def _gateway_error(
    code: grpc.StatusCode,
    reason: str = "",
    retry_s: Optional[float] = None,
    metadata: Optional[Dict[str, str]] = None,
) -> GatewayError:
    details = []
    if reason:
        info = any_pb2.Any()
        info.Pack(
            error_details_pb2.ErrorInfo(
                reason=reason, domain="providergateway", metadata=metadata or {}
            )
        )
        details.append(info)
    if retry_s is not None:
        retry = any_pb2.Any()
        retry.Pack(
            error_details_pb2.RetryInfo(retry_delay=_duration(retry_s))
        )
        details.append(retry)
    return GatewayError(code, f"{reason} happened", details)


@pytest.mark.parametrize(
    ("code", "reason", "expected"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST", ValueError),
        (grpc.StatusCode.NOT_FOUND, "PROVIDER_NOT_FOUND", ProviderNotFoundError),
        (grpc.StatusCode.NOT_FOUND, "MODEL_NOT_FOUND", ModelNotFoundError),
        (grpc.StatusCode.UNAUTHENTICATED, "PROVIDER_AUTH", ProviderAuthError),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "PROVIDER_RATE_LIMIT", ProviderRateLimitError),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "PROVIDER_QUOTA", ProviderRateLimitError),
        (grpc.StatusCode.UNAVAILABLE, "CIRCUIT_OPEN", ProviderRateLimitError),
        (grpc.StatusCode.DEADLINE_EXCEEDED, "PROVIDER_TIMEOUT", ProviderTimeoutError),
        (grpc.StatusCode.UNAVAILABLE, "PROVIDER_CONNECTION", ProviderConnectionError),
        (grpc.StatusCode.UNAVAILABLE, "PROVIDER_UNAVAILABLE", ProviderConnectionError),
        (grpc.StatusCode.UNAVAILABLE, "GATEWAY_UNAVAILABLE", ProviderConnectionError),
        (grpc.StatusCode.INTERNAL, "PROVIDER_INVALID_RESPONSE", ProviderInvalidResponseError),
        (grpc.StatusCode.FAILED_PRECONDITION, "PROVIDER_ERROR", ProviderError),
        (grpc.StatusCode.UNAUTHENTICATED, "GATEWAY_UNAUTHENTICATED", ProviderAuthError),
        (grpc.StatusCode.PERMISSION_DENIED, "GATEWAY_PERMISSION_DENIED", ProviderAuthError),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "GATEWAY_OVERLOADED", ProviderRateLimitError),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "BUDGET_EXCEEDED", ProviderRateLimitError),
        # No gateway reason: the client's own deadline, an unreachable gateway.
        (grpc.StatusCode.DEADLINE_EXCEEDED, "", ProviderTimeoutError),
        (grpc.StatusCode.UNAVAILABLE, "", ProviderConnectionError),
        (grpc.StatusCode.UNKNOWN, "", ProviderError),
    ],
)
def test_every_reason_maps_to_the_contracts_victor_class(
    code: grpc.StatusCode, reason: str, expected: type
) -> None:
    error = to_victor_error(
        _gateway_error(code, reason, metadata={"provider": "openai", "model": "gpt-x", "http_status": "429"}),
        provider="gateway",
        model="m",
    )

    assert type(error) is expected
    if isinstance(error, ProviderError) and reason:
        assert error.provider == "openai"
        assert error.model == "gpt-x" or isinstance(error, ProviderNotFoundError)


def test_retry_info_becomes_retry_after_in_whole_seconds() -> None:
    error = to_victor_error(
        _gateway_error(grpc.StatusCode.UNAVAILABLE, "CIRCUIT_OPEN", retry_s=12.2), provider="gateway"
    )

    assert isinstance(error, ProviderRateLimitError)
    assert error.retry_after == 13
    assert error.status_code is None


def _duration(seconds: float) -> duration_pb2.Duration:
    duration = duration_pb2.Duration()
    duration.FromNanoseconds(int(seconds * 1e9))
    return duration
