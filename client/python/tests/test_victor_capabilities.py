"""The gateway's capability table, as the `model_capabilities` section Victor reads."""

from __future__ import annotations

from providergateway import _victor_capabilities
from providergateway.v1 import provider_service_pb2 as pb


def _table() -> pb.ListProvidersResponse:
    tools = pb.Capabilities(tools=True, streaming=True, native_tool_calls=True, parallel_tool_calls=True)
    plain = pb.Capabilities(streaming=True)
    return pb.ListProvidersResponse(
        default_provider="openai",
        providers=[
            pb.ProviderInfo(
                name="openai",
                aliases=["oai"],
                capabilities=tools,
                models=[pb.ModelInfo(id="gpt-4o", capabilities=tools), pb.ModelInfo(id="tts-1", capabilities=plain)],
            ),
            pb.ProviderInfo(name="ollama", capabilities=plain, models=[pb.ModelInfo(id="gemma3", capabilities=plain)]),
        ],
        routes=[
            pb.RouteInfo(name="smart", targets=[pb.RouteTarget(provider="openai", model="gpt-4o")]),
            pb.RouteInfo(
                name="mixed",
                targets=[pb.RouteTarget(provider="openai", model="gpt-4o"), pb.RouteTarget(provider="ollama", model="gemma3")],
            ),
        ],
    )


def test_section_names_every_way_victor_may_pass_a_model() -> None:
    models = _victor_capabilities.section(_table())["models"]

    def native(pattern: str) -> bool:
        return models[pattern]["providers"]["gateway"]["native_tool_calls"]

    assert native("gpt-4o") and native("openai/gpt-4o") and native("oai/gpt-4o") and native("openai/*")
    assert not native("tts-1") and not native("ollama/gemma3") and not native("ollama/*")
    assert "gemma3" not in models  # a bare id means the default provider's model
    assert native("smart") and not native("mixed")  # a route calls tools only if every target does


def test_declare_feeds_victors_tool_calling_matrix(monkeypatch) -> None:
    from victor.config import model_capabilities
    from victor.config.model_capabilities import ToolCallingMatrix

    # Victor's table as it loads in a fresh process (other tests' gateways declared into it).
    monkeypatch.setattr(model_capabilities, "_tool_capable_patterns_cache", None)

    declared = _victor_capabilities.declare(_table())
    matrix = ToolCallingMatrix()

    assert "openai/gpt-4o" in declared
    assert matrix.is_tool_call_supported("gateway", "oai/gpt-4o")
    assert matrix.is_tool_call_supported("gateway", "smart")
    assert not matrix.is_tool_call_supported("gateway", "ollama/gemma3")


def test_a_gateway_whose_models_all_call_tools_declares_every_name() -> None:
    tools = pb.Capabilities(tools=True, streaming=True, native_tool_calls=True)
    table = pb.ListProvidersResponse(
        default_provider="echo",
        providers=[pb.ProviderInfo(name="echo", capabilities=tools, models=[pb.ModelInfo(id="echo-1", capabilities=tools)])],
    )

    data = _victor_capabilities.section(table)

    assert data["provider_defaults"]["gateway"]["native_tool_calls"] is True
