"""The official OpenAI Python SDK over HTTPS: the real gateway jar with `server.tls` set serves the
HTTP door with the gRPC port's certificate, so the SDK's own HTTP client trusting only that
certificate (`openai.DefaultHttpxClient(verify=ssl.create_default_context(cafile=...))`) completes a chat, streaming included; plain HTTP to that port is refused.

The certificate is made for the run by the `openssl` command line (scripts/test.sh installs it
when missing); no key is committed.
"""

from __future__ import annotations

import re
import ssl
import subprocess
from pathlib import Path
from typing import Iterator

import urllib.request

import openai
import pytest

from conftest import launch_gateway, stop_gateway

HTTPS_LINE = re.compile(r"^OpenAI-compatible HTTP on (https://\S+)")


@pytest.fixture(scope="module")
def tls_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    work = tmp_path_factory.mktemp("tls")
    cert, key = work / "tls.crt", work / "tls.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    config = work / "gateway.yaml"
    config.write_text(
        f"""
server: {{host: 127.0.0.1, tls: {{cert_file: "{cert}", key_file: "{key}"}}}}
"""
    )
    process, url = launch_gateway(config, HTTPS_LINE)
    try:
        # The certificate names localhost; the gateway prints its bound address.
        yield url.replace("127.0.0.1", "localhost"), cert
    finally:
        stop_gateway(process)


def test_sdk_over_https_trusting_the_gateway_certificate(tls_gateway):
    url, cert = tls_gateway
    with openai.DefaultHttpxClient(verify=ssl.create_default_context(cafile=str(cert))) as http:
        client = openai.OpenAI(base_url=url, api_key="unused", http_client=http, max_retries=0, timeout=30)
        reply = client.chat.completions.create(
            model="echo/echo-1", messages=[{"role": "user", "content": "hello over TLS"}]
        )
        assert reply.choices[0].message.content == "hello over TLS"
        stream = client.chat.completions.create(
            model="echo/echo-1", messages=[{"role": "user", "content": "streamed over TLS"}], stream=True
        )
        text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
        assert text == "streamed over TLS"


def test_sdk_without_the_certificate_fails_and_plain_http_is_refused(tls_gateway):
    url, _ = tls_gateway
    with openai.DefaultHttpxClient() as http:
        client = openai.OpenAI(base_url=url, api_key="unused", http_client=http, max_retries=0, timeout=30)
        with pytest.raises(openai.APIConnectionError):
            client.chat.completions.create(model="echo/echo-1", messages=[{"role": "user", "content": "x"}])
    # Plaintext to the TLS port: the handshake fails and the connection is closed, no answer.
    with pytest.raises(OSError):
        urllib.request.urlopen(url.replace("https://", "http://") + "/models", timeout=10)
