"""Tells Victor which gateway models call tools, through Victor's own capability tables.

Victor decides whether a model gets tools from two tables, both loaded from its bundled
``model_capabilities.yaml`` plus the ``model_capabilities`` section of ``~/.victor/profiles.yaml``:

- ``victor.config.model_capabilities`` (``ToolCallingMatrix``): provider -> model patterns with
  ``native_tool_calls: true``. A model missing there runs "without tools".
- ``victor.agent.tool_calling.capabilities.ModelCapabilityLoader``: the resolved
  ``ToolCallingCapabilities`` (native, streaming, parallel tool calls, format, ...).

:func:`declare` writes the gateway's ``ListProviders`` capability table into both, in the schema
of that YAML section (``provider_defaults.<provider>`` and ``models.<pattern>.providers.<provider>``)
and through Victor's own parser for it, exactly as if the user had written the entries by hand.
It is called when a ``GatewayProvider`` is created, which Victor does before it builds the
agent's ``ToolCallingMatrix``.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from providergateway.v1 import provider_service_pb2 as pb

logger = logging.getLogger(__name__)


def section(providers: pb.ListProvidersResponse) -> Dict[str, Any]:
    """The gateway's tool capabilities as a ``model_capabilities`` section, for the Victor
    provider name ``gateway``: one ``models`` entry per name Victor may pass as ``model``
    (``provider/model``, ``alias/model``, the bare model id, ``provider/*``, route aliases).

    Whatever wire a model has upstream, the gateway returns tool calls as structured, complete
    calls (parsing text tool calls itself for models without native ones), so to Victor every
    model whose ``tools`` capability is set has native, OpenAI-shaped tool calls.
    """
    from providergateway.victor import PROVIDER_NAME

    models: Dict[str, Dict[str, Any]] = {}
    capable: Dict[str, bool] = {}

    def add(pattern: str, caps: pb.Capabilities) -> None:
        if not pattern or pattern in models:
            return
        models[pattern] = {"providers": {PROVIDER_NAME: _entry(caps)}}

    for info in providers.providers:
        names = [info.name, *info.aliases]
        for model in info.models:
            caps = model.capabilities if model.HasField("capabilities") else info.capabilities
            for name in names:
                capable[f"{name}/{model.id}"] = caps.tools
                add(f"{name}/{model.id}", caps)
            if info.name == providers.default_provider or not providers.default_provider:
                capable[model.id] = caps.tools
                add(model.id, caps)
        for name in names:
            add(f"{name}/*", info.capabilities)
            capable[f"{name}/"] = info.capabilities.tools
    for route in providers.routes:
        targets = [f"{t.provider}/{t.model}" if t.model else f"{t.provider}/" for t in route.targets]
        tools = bool(targets) and all(
            capable.get(t, capable.get(t.split("/")[0] + "/", False)) for t in targets
        )
        add(route.name, pb.Capabilities(tools=tools, streaming=True))
    result: Dict[str, Any] = {"models": models}
    default = _provider(providers, providers.default_provider)
    everything = all(
        info.capabilities.tools and all(m.capabilities.tools for m in info.models)
        for info in providers.providers
    )
    if default is not None and everything:
        # Victor reads a provider default with native tool calls as "every model": true only
        # when no gateway model lacks tools (then also names the table does not list, which
        # the gateway sends to its default provider).
        result["provider_defaults"] = {PROVIDER_NAME: _entry(default.capabilities)}
    return result


def declare(providers: pb.ListProvidersResponse) -> List[str]:
    """Adds :func:`section` to Victor's two capability tables; returns the tool-capable patterns.
    Idempotent; a later call (a changed gateway) adds to what an earlier one declared."""
    from victor.agent.tool_calling.capabilities import ModelCapabilityLoader
    from victor.config.model_capabilities import (
        _extract_tool_capable_patterns,
        _load_tool_capable_patterns_from_yaml,
    )

    from providergateway.victor import PROVIDER_NAME

    data = section(providers)
    # The ToolCallingMatrix table: Victor caches it at module level and every matrix (and the
    # settings' `tool_calling_models` default) starts from that same dict.
    patterns = _load_tool_capable_patterns_from_yaml()
    _extract_tool_capable_patterns(data, patterns)

    loader = ModelCapabilityLoader()
    config = loader._config if loader._config is not None else {}
    default = _provider(providers, providers.default_provider)
    if default is not None:
        # The resolved ToolCallingCapabilities of a model the table does not list: those of the
        # gateway's default provider, where such a model goes.
        config.setdefault("provider_defaults", {})[PROVIDER_NAME] = _entry(default.capabilities)
    models = config.setdefault("models", {})
    for pattern, entry in data["models"].items():
        models.setdefault(pattern, {}).setdefault("providers", {}).update(entry["providers"])
    loader._config = config

    declared = list(patterns.get(PROVIDER_NAME, []))
    logger.debug("provider-gateway: tool-capable models for Victor: %s", declared)
    return declared


def _entry(caps: pb.Capabilities) -> Dict[str, Any]:
    entry: Dict[str, Any] = {
        "native_tool_calls": caps.tools,
        "streaming_tool_calls": caps.tools and caps.streaming,
        "parallel_tool_calls": caps.tools
        and (caps.parallel_tool_calls or not caps.native_tool_calls),
        "tool_choice_param": caps.tools,
        "tool_call_format": "openai" if caps.tools else "none",
    }
    if caps.recommended_max_tools:
        entry["recommended_max_tools"] = caps.recommended_max_tools
    return entry


def _provider(providers: pb.ListProvidersResponse, name: str) -> Optional[pb.ProviderInfo]:
    for info in providers.providers:
        if info.name == name or name in info.aliases:
            return info
    return None
