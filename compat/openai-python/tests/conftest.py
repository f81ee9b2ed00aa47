"""Starts fake upstreams and the real gateway (server/target/provider-gateway.jar) for the session.

The gateway gets three providers, one per wire format, all pointing at the fakes
(`fake_upstreams.py`): `oai` (OpenAI Chat Completions), `ant` (Anthropic Messages) and `gem`
(Gemini), plus the built-in `echo`. Callers authenticate with `Authorization: Bearer`: `MAIN_KEY`
may use everything; `LIMITED_KEY` has one request per minute, so its second call is refused with
429 and a retry hint. The gRPC port and the HTTP door's port are free loopback ports, read from
the gateway's stdout.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import pytest

from fake_upstreams import Upstreams

ROOT = Path(__file__).resolve().parents[3]
HTTP_LINE = re.compile(r"^OpenAI-compatible HTTP on (http://\S+)")
START_TIMEOUT_S = 90
MAIN_KEY = "sk-compat-main-0123456789"
LIMITED_KEY = "sk-compat-limited-0123456789"


def _sha(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@pytest.fixture(scope="session")
def upstreams() -> Iterator[Upstreams]:
    u = Upstreams()
    yield u
    u.close()


@pytest.fixture(scope="session")
def base_url(upstreams: Upstreams, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    config = tmp_path_factory.mktemp("gateway") / "gateway.yaml"
    config.write_text(
        f"""
server: {{host: 127.0.0.1}}
resilience: {{max_retries: 0}}
providers:
  - {{name: oai, type: openai, base_url: "{upstreams.base}/v1", api_key: k, default_model: gpt-fake}}
  - {{name: ant, type: anthropic, base_url: "{upstreams.base}", api_key: k, default_model: claude-fake}}
  - {{name: gem, type: gemini, base_url: "{upstreams.base}", api_key: k, default_model: gemini-fake}}
default_provider: oai
routes:
  smart:
    targets: [{{provider: ant, model: claude-fake}}]
auth:
  keys:
    - {{id: main, key_sha256: {_sha(MAIN_KEY)}}}
    - {{id: limited, key_sha256: {_sha(LIMITED_KEY)}, providers: [echo], requests_per_minute: 1}}
"""
    )
    process, url = launch_gateway(config, HTTP_LINE)
    try:
        yield url
    finally:
        stop_gateway(process)


def gateway_jar() -> Path:
    jar = Path(os.environ.get("PROVIDER_GATEWAY_JAR", ROOT / "server/target/provider-gateway.jar"))
    if not jar.is_file():
        pytest.fail(f"{jar} not found: build it with ./mvnw -B -q -ntp package -DskipTests")
    return jar


def launch_gateway(config: Path, url_line: re.Pattern) -> tuple[subprocess.Popen, str]:
    """Starts the jar on free loopback ports; returns it and the door's URL read from its stdout."""
    env = dict(os.environ, PROVIDER_GATEWAY_HTTP_PORT="0")
    process = subprocess.Popen(
        ["java", "-jar", str(gateway_jar()), "--config", str(config), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    found: dict = {}
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            match = url_line.match(line)
            if match and "url" not in found:
                found["url"] = match.group(1)
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(START_TIMEOUT_S) or "url" not in found:
        process.kill()
        pytest.fail(f"the gateway did not start within {START_TIMEOUT_S}s (exit code {process.poll()})")
    return process, found["url"]


def stop_gateway(process: subprocess.Popen) -> None:
    """SIGTERM (the graceful drain), then a kill after 30 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def client(base_url: str):
    import openai

    c = openai.OpenAI(base_url=base_url, api_key=MAIN_KEY, max_retries=0, timeout=30)
    yield c
    c.close()
