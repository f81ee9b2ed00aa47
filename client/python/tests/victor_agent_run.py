"""Runs Victor's own agent once through the gateway; the last stdout line is a JSON report.

Usage: python victor_agent_run.py MODEL WORKSPACE TASK. Run by test_victor_agent.py in a fresh
process with an empty HOME (no ~/.victor, so no hand-written Victor config), offline, with
PROVIDER_GATEWAY_TARGET and VICTOR_USE_SEMANTIC_TOOL_SELECTION=false in the environment. Nothing
here configures Victor: the provider comes from the `victor.plugins` entry point of the
installed package, the tool capabilities from the plugin.
"""

import asyncio
import json
import os
import sys


async def main(model: str, workspace: str, task: str) -> dict:
    from victor.framework import Agent

    os.chdir(workspace)  # Victor's file tools resolve relative paths from the process directory
    agent = await Agent.create(provider="gateway", model=model, airgapped=True, workspace=workspace)
    try:
        orchestrator = agent.get_orchestrator()
        report = {
            "provider_class": type(orchestrator.provider).__module__
            + "."
            + type(orchestrator.provider).__name__,
            # Victor's own verdict, the check behind "Running without tools".
            "tool_capable": orchestrator._model_supports_tool_calls(),
            "native_tool_calls": orchestrator.tool_calling_caps.native_tool_calls,
        }
        result = await agent.run(task)
        report["content"] = result.content
        report["success"] = result.success
        report["error"] = result.error
        return report
    finally:
        await agent.close()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(*sys.argv[1:4]))))
