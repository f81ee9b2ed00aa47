"""Starts the real gateway (server/target/provider-gateway.jar) once for the whole test session.

The jar is built by `./mvnw package` (scripts/test.sh runs the Maven build first); set
PROVIDER_GATEWAY_JAR to use another one. The server listens on a free loopback port (`--port 0`,
the port is read from its one stdout line) with its built-in `echo` provider, and gets SIGTERM
at the end. Echo's simulated upstream failures count towards its circuit breaker (5 in a row
open it), so this session uses at most two of them (`echo_error`); other error tests use an
unknown provider or an invalid request, which are never counted.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[3]
LISTENING = re.compile(r"^provider-gateway listening on \S+:(\d+) ")
START_TIMEOUT_S = 60


@pytest.fixture(scope="session")
def gateway_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # Bind loopback only: the tests never need more.
    config = "server:\n  host: 127.0.0.1\nresilience:\n  max_retries: 0\n"
    with run_gateway(config, tmp_path_factory.mktemp("gateway")) as target:
        yield target


@contextlib.contextmanager
def run_gateway(config_yaml: str, directory: Path) -> Iterator[str]:
    """Runs the gateway jar with ``config_yaml`` on a free loopback port; yields ``host:port``."""
    jar = Path(os.environ.get("PROVIDER_GATEWAY_JAR", ROOT / "server/target/provider-gateway.jar"))
    if not jar.is_file():
        pytest.fail(f"{jar} not found: build it with ./mvnw -B -q -ntp package -DskipTests")
    config = directory / "gateway.yaml"
    config.write_text(config_yaml)
    process = subprocess.Popen(
        ["java", "-jar", str(jar), "--config", str(config), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    port = _read_port(process)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _read_port(process: subprocess.Popen) -> int:
    found: dict = {}

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            match = LISTENING.match(line)
            if match and "port" not in found:
                found["port"] = int(match.group(1))
                ready.set()
        ready.set()  # stdout closed: the server exited

    ready = threading.Event()
    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(START_TIMEOUT_S) or "port" not in found:
        process.kill()
        pytest.fail(f"the gateway did not start within {START_TIMEOUT_S}s (exit code {process.poll()})")
    return found["port"]
