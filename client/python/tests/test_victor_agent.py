"""Victor's own agent loop (victor-ai's ``Agent`` API) through the real gateway jar.

The gateway sits in front of a fake OpenAI-format upstream (tests/fake_openai.py) that asks for
Victor's ``read`` tool on a file in a temporary workspace, then answers with what the tool
returned. Victor runs in a separate process with an empty HOME, so nothing but the installed
plugin tells it about the gateway; offline, with keyword tool selection (no embedding model).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import run_gateway
from fake_openai import FakeOpenAI

SECRET = "heliotrope-4711"
RUNNER = Path(__file__).with_name("victor_agent_run.py")


def test_victor_agent_runs_a_tool_through_the_gateway(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "notes.txt").write_text(f"the secret word is {SECRET}\n")
    home = tmp_path / "home"
    home.mkdir()

    with FakeOpenAI(tool_name="read", path="notes.txt") as upstream:
        config = (
            "server: {host: 127.0.0.1}\n"
            "resilience: {max_retries: 0}\n"
            "default_provider: upstream\n"
            "providers:\n"
            f"  - {{name: upstream, type: openai, base_url: '{upstream.base_url}',"
            " api_key: test-key, default_model: gpt-fake-1}\n"
        )
        with run_gateway(config, tmp_path) as target:
            env = {
                key: value
                for key, value in os.environ.items()
                if not key.startswith(("VICTOR_", "OPENAI_", "ANTHROPIC_", "PROVIDER_GATEWAY_"))
            }
            env.update(
                HOME=str(home),
                PROVIDER_GATEWAY_TARGET=target,
                VICTOR_USE_SEMANTIC_TOOL_SELECTION="false",
                HF_HUB_OFFLINE="1",
                NO_PROXY="*",
            )
            run = subprocess.run(
                [sys.executable, str(RUNNER), "gpt-fake-1", str(workspace), "Read notes.txt and tell me the secret word."],
                cwd=workspace,
                env=env,
                capture_output=True,
                text=True,
                timeout=240,
            )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])

    # The provider is the installed plugin, found through Victor's entry points.
    assert report["provider_class"] == "providergateway.victor.GatewayProvider"
    # Victor itself judges the gateway's model tool-capable, with no hand-written config.
    assert report["tool_capable"] is True, output[-4000:]
    assert report["native_tool_calls"] is True
    assert "not marked as tool-call-capable" not in output

    # The upstream offered Victor's tools, asked for `read`, and received its result.
    first = upstream.requests[0]
    assert "read" in [t["function"]["name"] for t in first.get("tools", [])]
    tool_results = [m for r in upstream.requests for m in r["messages"] if m.get("role") == "tool"]
    assert tool_results, [r["messages"][-1] for r in upstream.requests]
    assert SECRET in str(tool_results[-1]["content"])  # the tool ran: it read the file
    assert tool_results[-1]["tool_call_id"] == "call_read_1"

    # The final answer reached Victor.
    assert report["success"] is True
    assert SECRET in report["content"]
    assert report["content"].startswith("The file says:")
