"""Id-less tool calls (Victor's text-parsed calls) never kill a turn; real mismatches still fail."""

from __future__ import annotations

import asyncio

import pytest
from victor.providers.base import Message

from providergateway._tool_ids import pair_tool_ids
from providergateway.victor import GatewayProvider


def _history(call_id, result_id, *, name="get_weather"):
    return [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": "", "tool_calls": [{"id": call_id, "name": name, "arguments": {"city": "Oslo"}}]},
        {"role": "tool", "content": "sunny", "tool_call_id": result_id},
    ]


def test_empty_call_and_result_ids_get_one_stable_id() -> None:
    first = pair_tool_ids(_history("", None))
    again = pair_tool_ids(_history("", ""))

    call_id = first[1]["tool_calls"][0]["id"]
    assert call_id.startswith("call_") and len(call_id) == 21
    assert first[2]["tool_call_id"] == call_id
    assert again[1]["tool_calls"][0]["id"] == call_id  # the same history, the same id, every turn


def test_a_result_id_is_adopted_by_an_id_less_call() -> None:
    paired = pair_tool_ids(_history("", "victor_123"))
    assert paired[1]["tool_calls"][0]["id"] == "victor_123"
    assert paired[2]["tool_call_id"] == "victor_123"


def test_results_pair_in_order_and_by_name() -> None:
    history = [
        {"role": "user", "content": "x"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"id": "", "name": "a", "arguments": "{}"}, {"id": "", "name": "b", "arguments": "{}"}],
        },
        {"role": "tool", "content": "B", "name": "b"},
        {"role": "tool", "content": "A"},
    ]
    paired = pair_tool_ids(history)
    a, b = paired[1]["tool_calls"]
    assert a["id"] != b["id"]
    assert paired[2]["tool_call_id"] == b["id"]
    assert paired[3]["tool_call_id"] == a["id"]
    assert history[1]["tool_calls"][0]["id"] == ""  # the input is left as it was


def test_two_set_ids_that_differ_are_left_alone() -> None:
    paired = pair_tool_ids(_history("call_1", "call_2"))
    assert paired[1]["tool_calls"][0]["id"] == "call_1"
    assert paired[2]["tool_call_id"] == "call_2"


def _messages(call_id: str, result_id: str) -> list:
    return [
        Message(role="user", content="weather?"),
        Message(
            role="assistant",
            content="",
            tool_calls=[{"id": call_id, "name": "get_weather", "arguments": {"city": "Oslo"}}],
        ),
        Message(role="tool", content="sunny in Oslo", tool_call_id=result_id),
    ]


def test_id_less_tool_round_trip_passes_the_real_gateway(gateway_target: str) -> None:
    async def run() -> str:
        provider = GatewayProvider(base_url=gateway_target, gateway_provider="echo", declare_capabilities=False)
        try:
            reply = await provider.chat(_messages("", ""), model="echo-1")
            return reply.content
        finally:
            await provider.close()

    assert asyncio.run(run()) == "sunny in Oslo"


def test_a_real_mismatch_is_named_by_the_gateway(gateway_target: str) -> None:
    async def run() -> None:
        provider = GatewayProvider(base_url=gateway_target, gateway_provider="echo", declare_capabilities=False)
        try:
            await provider.chat(_messages("call_1", "call_2"), model="echo-1")
        finally:
            await provider.close()

    with pytest.raises(ValueError) as raised:
        asyncio.run(run())
    message = str(raised.value)
    assert "messages[2].tool_call_id" in message
    assert "tool result messages[2] has no tool call" in message
    assert "'call_2'" in message and "known ids: 'call_1'" in message
