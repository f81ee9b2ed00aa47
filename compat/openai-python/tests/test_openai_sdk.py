"""The official `openai` Python SDK against the gateway's OpenAI-compatible door.

Each test drives the real server over HTTP, through the real providers, to fake upstreams speaking
OpenAI's, Anthropic's or Gemini's wire format: whatever the upstream, the SDK gets OpenAI-shaped
answers (tool calls included) and OpenAI's exception classes.
"""

from __future__ import annotations

import asyncio
import json

import openai
import pytest

from conftest import LIMITED_KEY

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
USER = [{"role": "user", "content": "Hello"}]
FORMATS = ["oai/gpt-fake", "ant/claude-fake", "gem/gemini-fake"]


@pytest.mark.parametrize("model", FORMATS)
def test_sync_chat_any_upstream_format_answers_openai_shaped(client, model):
    r = client.chat.completions.create(model=model, messages=USER, max_tokens=50, temperature=0.2)

    wire = model.split("/")[0]
    expected = {"oai": "openai", "ant": "anthropic", "gem": "gemini"}[wire]
    assert r.object == "chat.completion"
    assert r.id.startswith("chatcmpl-")
    assert r.created > 0
    assert r.choices[0].message.role == "assistant"
    assert r.choices[0].message.content == f"Hello from {expected}"
    assert r.choices[0].finish_reason == "stop"
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens > 0
    assert r.usage.prompt_tokens_details.cached_tokens > 0


def test_usage_details_carry_cached_and_reasoning_tokens(client):
    r = client.chat.completions.create(model="oai/gpt-fake", messages=USER)

    assert r.usage.prompt_tokens == 12
    assert r.usage.prompt_tokens_details.cached_tokens == 4
    assert r.usage.completion_tokens_details.reasoning_tokens == 2


@pytest.mark.parametrize("model", FORMATS)
def test_streaming_any_upstream_format_ends_with_usage(client, model):
    stream = client.chat.completions.create(
        model=model, messages=USER, stream=True, stream_options={"include_usage": True}
    )
    text, finish, usage, ids = "", None, None, set()
    for chunk in stream:
        assert chunk.object == "chat.completion.chunk"
        ids.add(chunk.id)
        for choice in chunk.choices:
            text += choice.delta.content or ""
            finish = choice.finish_reason or finish
        if chunk.usage is not None:
            usage = chunk.usage

    assert text.strip().startswith("Hello from")
    assert finish == "stop"
    assert usage is not None and usage.total_tokens > 0
    assert len(ids) == 1


@pytest.mark.parametrize("model", FORMATS)
def test_parallel_tool_calls_any_upstream_format(client, model):
    r = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "Weather in Paris and Tokyo?"}],
        tools=[WEATHER_TOOL],
        tool_choice="auto",
    )

    calls = r.choices[0].message.tool_calls
    assert r.choices[0].finish_reason == "tool_calls"
    assert [c.function.name for c in calls] == ["get_weather", "get_weather"]
    assert [json.loads(c.function.arguments) for c in calls] == [{"city": "Paris"}, {"city": "Tokyo"}]
    assert all(c.id and c.type == "function" for c in calls)


@pytest.mark.parametrize("model", FORMATS)
def test_streamed_tool_calls_any_upstream_format_assemble_by_index(client, model):
    stream = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "Weather in Paris and Tokyo?"}],
        tools=[WEATHER_TOOL],
        stream=True,
    )
    calls: dict[int, dict] = {}
    finish = None
    for chunk in stream:
        for choice in chunk.choices:
            finish = choice.finish_reason or finish
            for d in choice.delta.tool_calls or []:
                call = calls.setdefault(d.index, {"id": None, "name": "", "arguments": ""})
                call["id"] = d.id or call["id"]
                if d.function is not None:
                    call["name"] += d.function.name or ""
                    call["arguments"] += d.function.arguments or ""

    assert finish == "tool_calls"
    assert [c["name"] for c in calls.values()] == ["get_weather", "get_weather"]
    assert [json.loads(c["arguments"]) for c in calls.values()] == [{"city": "Paris"}, {"city": "Tokyo"}]
    assert all(c["id"] for c in calls.values())


def test_tool_result_round_trip_reaches_upstream_as_tool_message(client, upstreams):
    r = client.chat.completions.create(
        model="oai/gpt-fake",
        messages=[
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "call_7", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}
                ],
            },
            {"role": "tool", "tool_call_id": "call_7", "content": "18C and sunny"},
        ],
        tools=[WEATHER_TOOL],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )

    assert r.choices[0].message.tool_calls
    sent = upstreams.last("/v1/chat/completions")
    assert sent["messages"][-1]["role"] == "tool"
    assert sent["messages"][-1]["tool_call_id"] == "call_7"
    assert sent["tool_choice"]["function"]["name"] == "get_weather"


def test_image_message_reaches_upstream(client, upstreams):
    pixel = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    client.chat.completions.create(
        model="oai/gpt-fake",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": pixel}},
                ],
            }
        ],
    )

    sent = json.dumps(upstreams.last("/v1/chat/completions")["messages"])
    assert "image_url" in sent and "What is this?" in sent


@pytest.mark.parametrize("model", FORMATS)
def test_structured_output_json_schema(client, model):
    r = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "The answer?"}],
        response_format={
            "type": "json_schema",
            "json_schema": {
                "name": "answer",
                "schema": {"type": "object", "properties": {"answer": {"type": "integer"}}, "required": ["answer"]},
                "strict": True,
            },
        },
        seed=7,
        top_p=0.9,
        stop=["\n\n"],
        user="user-1",
    )

    assert json.loads(r.choices[0].message.content) == {"answer": 42}


def test_json_object_mode_reaches_openai_upstream(client, upstreams):
    r = client.chat.completions.create(
        model="oai/gpt-fake",
        messages=[{"role": "user", "content": "Answer in JSON"}],
        response_format={"type": "json_object"},
        max_completion_tokens=20,
    )

    assert json.loads(r.choices[0].message.content) == {"answer": 42}
    sent = upstreams.last("/v1/chat/completions")
    assert sent["response_format"] == {"type": "json_object"}


def test_route_alias_and_default_provider(client):
    routed = client.chat.completions.create(model="smart", messages=USER)
    default = client.chat.completions.create(model="gpt-fake", messages=USER)

    assert routed.choices[0].message.content == "Hello from anthropic"
    assert default.choices[0].message.content == "Hello from openai"


def test_async_client(base_url):
    from conftest import MAIN_KEY

    async def run():
        async with openai.AsyncOpenAI(base_url=base_url, api_key=MAIN_KEY, max_retries=0) as c:
            answers = await asyncio.gather(
                *[c.chat.completions.create(model=m, messages=USER) for m in FORMATS]
            )
            stream = await c.chat.completions.create(model="ant/claude-fake", messages=USER, stream=True)
            text = ""
            async for chunk in stream:
                for choice in chunk.choices:
                    text += choice.delta.content or ""
            return answers, text

    answers, text = asyncio.run(run())
    assert [a.choices[0].message.content for a in answers] == [
        "Hello from openai",
        "Hello from anthropic",
        "Hello from gemini",
    ]
    assert text.strip() == "Hello from anthropic"


def test_models_lists_what_the_key_may_use(client, base_url):
    ids = [m.id for m in client.models.list()]
    assert {"oai/gpt-fake", "ant/claude-fake", "gem/gemini-fake", "smart"} <= set(ids)

    limited = openai.OpenAI(base_url=base_url, api_key=LIMITED_KEY, max_retries=0)
    assert [m.id for m in limited.models.list()] == ["echo/echo-1"]


def test_wrong_key_raises_authentication_error(base_url, upstreams):
    before = upstreams.count("/")
    bad = openai.OpenAI(base_url=base_url, api_key="sk-not-a-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as e:
        bad.chat.completions.create(model="oai/gpt-fake", messages=USER)

    assert e.value.status_code == 401
    assert e.value.code == "gateway_unauthenticated"
    assert upstreams.count("/") == before


def test_key_over_its_rate_limit_raises_rate_limit_error_with_retry_hint(base_url):
    limited = openai.OpenAI(base_url=base_url, api_key=LIMITED_KEY, max_retries=0)
    limited.chat.completions.create(model="echo/echo-1", messages=USER)
    with pytest.raises(openai.RateLimitError) as e:
        limited.chat.completions.create(model="echo/echo-1", messages=USER)

    assert e.value.status_code == 429
    retry_after = int(e.value.response.headers["retry-after"])
    assert 1 <= retry_after <= 60


def test_upstream_rate_limit_raises_rate_limit_error_with_retry_hint(client):
    with pytest.raises(openai.RateLimitError) as e:
        client.chat.completions.create(
            model="echo/echo-1",
            messages=USER,
            extra_body={"extra": {"echo_error": "PROVIDER_RATE_LIMIT", "echo_retry_after_ms": 3000}},
        )

    assert e.value.code == "provider_rate_limit"
    assert e.value.response.headers["retry-after"] == "3"
    assert e.value.response.headers["retry-after-ms"] == "3000"


def test_key_outside_its_allowlist_raises_permission_denied(base_url):
    limited = openai.OpenAI(base_url=base_url, api_key=LIMITED_KEY, max_retries=0)
    with pytest.raises(openai.PermissionDeniedError):
        limited.chat.completions.create(model="oai/gpt-fake", messages=USER)


def test_unknown_model_raises_not_found_and_wrong_type_bad_request(client, upstreams):
    before = upstreams.count("/")
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="nope/gpt-9", messages=USER)
    with pytest.raises(openai.BadRequestError) as wrong:
        client.chat.completions.create(model="oai/gpt-fake", messages=USER, extra_body={"temperature": "hot"})

    assert "nope/gpt-9" in missing.value.message
    assert wrong.value.param == "temperature"
    assert "temperature: must be a number" in wrong.value.message
    assert upstreams.count("/") == before


def test_upstream_failure_maps_to_openai_status(client):
    with pytest.raises(openai.InternalServerError) as e:
        client.chat.completions.create(
            model="echo/echo-2", messages=USER, extra_body={"extra": {"echo_error": "PROVIDER_UNAVAILABLE"}}
        )
    assert e.value.status_code == 502


def test_embeddings_floats_from_openai_upstream(client, upstreams):
    reply = client.embeddings.create(
        model="oai/text-embedding-fake", input=["alpha", "beta"], dimensions=4, encoding_format="float", user="u-1"
    )

    assert reply.object == "list"
    assert reply.model == "text-embedding-fake"
    assert [d.index for d in reply.data] == [0, 1]
    assert reply.data[0].embedding == [0.25, -0.5, 1.0, 0.125]
    assert reply.data[1].embedding == [0.5, -1.0, 2.0, 0.25]
    assert reply.usage.prompt_tokens == 5 and reply.usage.total_tokens == 5
    sent = upstreams.last("/v1/embeddings")
    assert sent["model"] == "text-embedding-fake"
    assert sent["input"] == ["alpha", "beta"]
    assert sent["dimensions"] == 4
    assert sent["encoding_format"] == "float"


def test_embeddings_base64_is_the_sdk_default_and_decodes(client, upstreams):
    # Without encoding_format the SDK asks for base64 and decodes it into floats itself.
    reply = client.embeddings.create(model="oai/text-embedding-fake", input="alpha")
    assert reply.data[0].embedding == [0.25, -0.5, 1.0, 0.125]
    assert upstreams.last("/v1/embeddings")["encoding_format"] == "base64"

    raw = client.embeddings.create(model="oai/text-embedding-fake", input="alpha", encoding_format="base64")
    assert isinstance(raw.data[0].embedding, str)
    import base64
    import struct

    assert list(struct.unpack("<4f", base64.b64decode(raw.data[0].embedding))) == [0.25, -0.5, 1.0, 0.125]


def test_embeddings_echo_provider_and_errors(client, upstreams):
    reply = client.embeddings.create(model="echo/echo-1", input=["one", "two"], dimensions=8)
    assert reply.model == "echo-1"
    assert [len(d.embedding) for d in reply.data] == [8, 8]

    before = upstreams.count("/")
    with pytest.raises(openai.NotFoundError) as missing:
        client.embeddings.create(model="nope/emb-9", input="x")
    with pytest.raises(openai.BadRequestError) as wrong:
        client.embeddings.create(model="oai/text-embedding-fake", input="x", extra_body={"dimensions": "many"})
    with pytest.raises(openai.BadRequestError) as tokens:
        client.embeddings.create(model="oai/text-embedding-fake", input=[[1, 2, 3]])

    assert "nope/emb-9" in missing.value.message
    assert wrong.value.param == "dimensions"
    assert tokens.value.param == "input"
    assert upstreams.count("/") == before
