#!/usr/bin/env bash
# The project's single test command: `scripts/test.sh` (the README's and CI's; .ci/run execs it).
# Works from any directory and on a fresh machine with Java 17, Node 20 + npm and this repo:
# every tool it needs is installed by the steps below.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# 1. The .proto contract: buf build + lint (STANDARD + COMMENTS) + format check.
echo "==> test: scripts/lint-proto.sh"
scripts/lint-proto.sh

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

echo "==> test: all suites passed"
