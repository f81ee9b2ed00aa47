"""The blocking and asyncio clients against the real gateway (see conftest.py)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Iterator, List

import grpc
import pytest

from providergateway import (
    AsyncClient,
    Client,
    GatewayError,
    StopReason,
    StreamChunk,
    assistant,
    chat_request,
    tool_result,
)

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Returns the weather of a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


@pytest.fixture(scope="module")
def client(gateway_target: str) -> Iterator[Client]:
    with Client(gateway_target, timeout=20) as client:
        yield client


def test_chat_returns_the_echo_reply_with_usage(client: Client) -> None:
    reply = client.chat("Hello, gateway", provider="echo")

    assert reply.content == "Hello, gateway"
    assert reply.role == "assistant"
    assert reply.stop_reason == StopReason.STOP_REASON_STOP
    assert reply.provider == "echo"
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens > 0


def test_stream_yields_word_deltas_then_one_final_chunk(client: Client) -> None:
    with client.stream("streamed word by word") as chunks:
        received: List[StreamChunk] = list(chunks)

    assert [c.content for c in received[:-1]] == ["streamed", " word", " by", " word"]
    assert not any(c.is_final for c in received[:-1])
    final = received[-1]
    assert final.is_final
    assert final.stop_reason == StopReason.STOP_REASON_STOP
    assert final.usage.completion_tokens == 4


def test_chat_with_tools_returns_the_tool_call(client: Client) -> None:
    reply = client.chat('call get_weather {"city":"Paris"}', tools=[WEATHER_TOOL])

    assert reply.stop_reason == StopReason.STOP_REASON_TOOL_CALLS
    [call] = reply.tool_calls
    assert (call.id, call.name) == ("echo_call_0", "get_weather")
    assert json.loads(call.arguments) == {"city": "Paris"}


def test_stream_with_tools_final_chunk_carries_the_complete_tool_call(client: Client) -> None:
    with client.stream('call get_weather {"city":"Paris"}', tools=[WEATHER_TOOL]) as chunks:
        received = list(chunks)

    final = received[-1]
    assert final.is_final and final.stop_reason == StopReason.STOP_REASON_TOOL_CALLS
    assert [(c.id, c.name, json.loads(c.arguments)) for c in final.tool_calls] == [
        ("echo_call_0", "get_weather", {"city": "Paris"})
    ]
    assert all(not c.tool_calls for c in received[:-1])


def test_chat_tool_result_round_trip_echoes_the_tool_message(client: Client) -> None:
    messages = [
        {"role": "user", "content": "weather?"},
        assistant(tool_calls=[{"id": "c1", "name": "get_weather", "arguments": {"city": "Oslo"}}]),
        tool_result("c1", "sunny"),
    ]
    assert client.chat(messages, tools=[WEATHER_TOOL]).content == "sunny"


def test_converse_two_concurrent_turns_one_cancelled_the_other_completes(client: Client) -> None:
    with client.converse() as session:
        slow = session.start_turn("slow", "one two three four five six", extra={"echo_delay_ms": 300})
        fast = session.start_turn("fast", "quick answer here", extra={"echo_delay_ms": 20})

        first = next(slow)
        assert first.content == "one"
        started = time.monotonic()
        slow.close()  # CancelTurn for "slow" only

        assert "".join(c.content for c in fast) == "quick answer here"
        assert list(slow) == []  # a closed turn just ends
        # The stream outlives the cancelled turn: a third turn still works.
        with session.start_turn("after", "still open") as after:
            assert "".join(c.content for c in after) == "still open"
        assert time.monotonic() - started < 5


def test_converse_failed_turn_raises_only_from_that_turn(client: Client) -> None:
    with client.converse() as session:
        bad = session.start_turn("bad", "x", provider="no-such-provider")
        good = session.start_turn("good", "fine")
        with pytest.raises(GatewayError) as raised:
            list(bad)
        assert raised.value.code == grpc.StatusCode.NOT_FOUND
        assert raised.value.reason == "PROVIDER_NOT_FOUND"
        assert "".join(c.content for c in good) == "fine"


def test_converse_use_history_keeps_the_conversation(client: Client) -> None:
    with client.converse() as session:
        assert "".join(c.content for c in session.start_turn("t1", "My name is Ada.", use_history=True))
        # Only the new message is sent; the server prepends the history it kept.
        turn = session.start_turn(
            "t2",
            [{"role": "user", "content": "and now?"}],
            use_history=True,
        )
        chunks = list(turn)
        assert chunks[-1].is_final
        assert chunks[-1].usage.prompt_tokens > 2  # the history counts as prompt


def test_unknown_provider_raises_not_found_with_reason(client: Client) -> None:
    with pytest.raises(GatewayError) as raised:
        client.chat("x", provider="nope")

    error = raised.value
    assert error.code == grpc.StatusCode.NOT_FOUND
    assert error.reason == "PROVIDER_NOT_FOUND"
    assert error.domain == "providergateway"
    assert "echo" in error.message
    assert not error.retryable


def test_invalid_request_raises_invalid_argument_naming_the_field(client: Client) -> None:
    with pytest.raises(GatewayError) as raised:
        client.chat([{"role": "robot", "content": "x"}])

    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.reason == "INVALID_REQUEST"
    assert [v.field for v in raised.value.field_violations] == ["messages[0].role"]


def test_rate_limit_carries_reason_and_retry_delay(client: Client) -> None:
    # One of this session's two simulated upstream failures (see conftest.py).
    with pytest.raises(GatewayError) as raised:
        client.chat(
            # Its own model: a 429 cools its (provider, model) down for the Retry-After period.
            "x",
            model="echo-rate-limited",
            extra={"echo_error": "PROVIDER_RATE_LIMIT", "echo_retry_after_ms": 1500},
        )

    error = raised.value
    assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error.reason == "PROVIDER_RATE_LIMIT"
    assert error.retry_delay == pytest.approx(1.5)
    assert error.retryable
    assert error.error_metadata.get("provider") == "echo"


def test_deadline_expires_raises_deadline_exceeded(client: Client) -> None:
    started = time.monotonic()
    with pytest.raises(GatewayError) as raised:
        client.chat("too slow", extra={"echo_delay_ms": 5000}, timeout=0.3)

    assert raised.value.code == grpc.StatusCode.DEADLINE_EXCEEDED
    assert raised.value.retryable
    assert time.monotonic() - started < 3


def test_stream_deadline_expires_mid_stream(client: Client) -> None:
    chunks = client.stream("a b c d e f g h", extra={"echo_delay_ms": 200}, timeout=0.5)
    with pytest.raises(GatewayError) as raised:
        list(chunks)
    assert raised.value.code == grpc.StatusCode.DEADLINE_EXCEEDED


def test_stream_closed_early_cancels_the_call(client: Client) -> None:
    chunks = client.stream("a b c d e f g h i j", extra={"echo_delay_ms": 200})
    assert next(chunks).content == "a"
    started = time.monotonic()
    chunks.close()

    assert list(chunks) == []
    assert chunks.code() == grpc.StatusCode.CANCELLED
    assert time.monotonic() - started < 1


def test_list_providers_lists_echo_as_default(client: Client) -> None:
    providers = client.list_providers()
    assert providers.default_provider == "echo"
    [echo] = [p for p in providers.providers if p.name == "echo"]
    assert echo.demo and echo.capabilities.tools and echo.capabilities.streaming


def test_chat_request_ready_request_rejects_more_fields() -> None:
    request = chat_request("hi", provider="echo")
    assert chat_request(request) is request
    with pytest.raises(TypeError):
        chat_request(request, model="x")


# -- asyncio ---------------------------------------------------------------------------------


def test_async_chat_stream_and_errors(gateway_target: str) -> None:
    async def scenario() -> None:
        async with AsyncClient(gateway_target, timeout=20) as client:
            assert (await client.chat("async hello")).content == "async hello"

            async with client.stream("one two three") as chunks:
                received = [c async for c in chunks]
            assert "".join(c.content for c in received) == "one two three"
            assert received[-1].is_final

            reply = await client.chat('call get_weather {"city":"Rome"}', tools=[WEATHER_TOOL])
            assert reply.tool_calls[0].name == "get_weather"

            with pytest.raises(GatewayError) as raised:
                await client.chat("x", provider="nope")
            assert raised.value.reason == "PROVIDER_NOT_FOUND"

            with pytest.raises(GatewayError) as raised:
                await client.chat("slow", extra={"echo_delay_ms": 5000}, timeout=0.3)
            assert raised.value.code == grpc.StatusCode.DEADLINE_EXCEEDED

    asyncio.run(scenario())


def test_async_stream_closed_early_cancels_the_call(gateway_target: str) -> None:
    async def scenario() -> None:
        async with AsyncClient(gateway_target) as client:
            chunks = client.stream("a b c d e f g h", extra={"echo_delay_ms": 200})
            assert (await chunks.__anext__()).content == "a"
            await chunks.aclose()
            code = await asyncio.wait_for(chunks.call.code(), timeout=1)
            assert code == grpc.StatusCode.CANCELLED
            assert [c async for c in chunks] == []

    asyncio.run(scenario())


def test_async_converse_two_concurrent_turns_one_cancelled(gateway_target: str) -> None:
    async def scenario() -> None:
        async with AsyncClient(gateway_target, timeout=20) as client:
            async with client.converse() as session:
                slow = await session.start_turn(
                    "slow", "one two three four five", extra={"echo_delay_ms": 300}
                )
                fast = await session.start_turn(
                    "fast", "quick answer", extra={"echo_delay_ms": 20}
                )
                assert (await slow.__anext__()).content == "one"
                await slow.aclose()

                async def text(turn) -> str:
                    return "".join([c.content async for c in turn])

                assert await asyncio.wait_for(text(fast), timeout=5) == "quick answer"
                assert [c async for c in slow] == []
                after = await session.start_turn("after", "still open")
                assert await text(after) == "still open"

    asyncio.run(scenario())


def test_embed_echo_returns_one_unit_vector_per_input_in_order(client: Client) -> None:
    response = client.embed(["first text", "second text"], provider="echo", model="echo-1")
    assert response.provider == "echo"
    assert [e.index for e in response.embeddings] == [0, 1]
    for embedding in response.embeddings:
        assert len(embedding.values) == 8
        assert abs(sum(v * v for v in embedding.values) - 1.0) < 1e-4
    assert list(response.embeddings[0].values) != list(response.embeddings[1].values)
    again = client.embed("first text", provider="echo", model="echo-1", dimensions=4)
    assert len(again.embeddings[0].values) == 4
    assert response.usage.prompt_tokens > 0


def test_embed_base64_returns_little_endian_float32_bytes(client: Client) -> None:
    import struct

    floats = client.embed("x", provider="echo", model="echo-1").embeddings[0].values
    raw = client.embed("x", provider="echo", model="echo-1", encoding="base64").embeddings[0].data
    assert len(raw) == 4 * len(floats)
    assert list(struct.unpack("<8f", raw)) == pytest.approx(list(floats))


def test_embed_without_inputs_raises_invalid_argument_naming_the_field(client: Client) -> None:
    with pytest.raises(GatewayError) as caught:
        client.embed([], provider="echo", model="echo-1")
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.reason == "INVALID_REQUEST"
    assert [v.field for v in caught.value.field_violations] == ["inputs"]


def test_count_tokens_echo_is_a_local_estimate_marked_estimated(client: Client) -> None:
    response = client.count_tokens("abcdefghijklmnop", provider="echo")
    assert response.estimated
    assert response.input_tokens == 8
    assert response.provider == "echo"


def test_async_embed_and_count_tokens(gateway_target: str) -> None:
    async def run() -> None:
        async with AsyncClient(gateway_target, timeout=20) as aclient:
            embedded = await aclient.embed(["a", "b"], provider="echo", model="echo-1")
            assert len(embedded.embeddings) == 2
            counted = await aclient.count_tokens("hello there", provider="echo")
            assert counted.estimated and counted.input_tokens > 0

    asyncio.run(run())
