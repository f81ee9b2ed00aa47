#!/usr/bin/env bash
# Lints, format-checks and builds the providergateway.v1 contract (proto/) with buf.
#
# Needs only Java 17, Node 20 + npm and this repository. Safe to run again and again:
#   1. installs the buf pinned in tools/package.json (npm ci, into git-ignored
#      tools/node_modules/) unless that exact version is already there;
#   2. fills the git-ignored target/proto-deps/ with google/rpc/status.proto, taken from
#      the proto-google-common-protos jar Maven resolves for the proto module (the Buf
#      Schema Registry is not used, and no third-party .proto is committed);
#   3. runs `buf build`, `buf lint proto` (STANDARD + COMMENTS, see buf.yaml) and
#      `buf format --diff --exit-code proto`.
# Exits non-zero on any finding.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '==> lint-proto: %s\n' "$*"; }

# Maven plugin used (from the command line only) to copy the jar; pinned like every plugin.
DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
DEPS_DIR="$ROOT/target/proto-deps"
JARS_DIR="$ROOT/target/proto-deps-jars"
# The files our .proto import that buf does not ship (it ships the google/protobuf ones).
DEP_PROTOS=(google/rpc/status.proto)

command -v node >/dev/null || { echo "lint-proto: node is required (Node 20)" >&2; exit 1; }
command -v npm >/dev/null || { echo "lint-proto: npm is required" >&2; exit 1; }

# 1. buf, pinned in tools/package.json + tools/package-lock.json.
BUF="$ROOT/tools/node_modules/.bin/buf"
want_buf="$(node -p 'require("./tools/package.json").devDependencies["@bufbuild/buf"]')"
have_buf=""
if [[ -x "$BUF" ]]; then
  have_buf="$("$BUF" --version 2>/dev/null || true)"
fi
if [[ "$have_buf" == "$want_buf" ]]; then
  log "buf $have_buf already installed in tools/node_modules"
else
  log "installing buf $want_buf: npm ci --prefix tools"
  npm ci --prefix tools --no-audit --no-fund --loglevel=error
  have_buf="$("$BUF" --version)"
  if [[ "$have_buf" != "$want_buf" ]]; then
    echo "lint-proto: expected buf $want_buf, got '$have_buf'" >&2
    exit 1
  fi
fi

# 2. google/rpc/status.proto from the proto-google-common-protos jar (version from the poms).
log "resolving proto-google-common-protos with Maven (-pl proto)"
rm -rf "$JARS_DIR" "$DEPS_DIR"
mkdir -p "$JARS_DIR" "$DEPS_DIR"
./mvnw -B -q -pl proto "$DEPENDENCY_PLUGIN:copy-dependencies" \
  -DincludeGroupIds=com.google.api.grpc \
  -DincludeArtifactIds=proto-google-common-protos \
  -DexcludeTransitive=true \
  -DoutputDirectory="$JARS_DIR"
shopt -s nullglob
jars=("$JARS_DIR"/proto-google-common-protos-*.jar)
shopt -u nullglob
if [[ ${#jars[@]} -ne 1 ]]; then
  echo "lint-proto: expected one proto-google-common-protos jar in $JARS_DIR, found ${#jars[@]}" >&2
  exit 1
fi
log "extracting ${DEP_PROTOS[*]} from $(basename "${jars[0]}") into target/proto-deps/"
if command -v unzip >/dev/null; then
  unzip -q -o "${jars[0]}" "${DEP_PROTOS[@]}" -d "$DEPS_DIR"
else
  (cd "$DEPS_DIR" && jar xf "${jars[0]}" "${DEP_PROTOS[@]}")
fi
for f in "${DEP_PROTOS[@]}"; do
  [[ -f "$DEPS_DIR/$f" ]] || { echo "lint-proto: $f missing from ${jars[0]}" >&2; exit 1; }
done

# 3. buf.
log "buf build (compiles proto/ against target/proto-deps/ and buf's well-known types)"
"$BUF" build
log "buf lint proto (STANDARD + COMMENTS; exceptions are listed in buf.yaml)"
"$BUF" lint proto
log "buf format --diff --exit-code proto"
"$BUF" format --diff --exit-code proto
log "OK: proto/ builds, lints clean and is formatted (buf $have_buf)"
