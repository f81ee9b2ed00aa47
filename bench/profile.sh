#!/usr/bin/env bash
# Where the gateway's time goes under the bench's peak loads: a JFR recording (settings=profile)
# of each, summarised by bench/jfr_profile.py (CPU by layer, the gateway's methods by inclusive
# time, allocation by site, the JIT and GC during the window).
#
#   bench/profile.sh                 profile bench/.work/gateway.jar (the last bench run's copy)
#   bench/profile.sh --jar J.jar     profile another build
#   bench/profile.sh --splice F.md   also put the sections into F (bench/RESULTS.md) between
#                                    <!-- profile:begin --> and <!-- profile:end -->
#
# Loads (scenario 1, 2 and 3's peaks): OpenAI-compatible unary at concurrency 64, echo at 64,
# streams of 256 tokens at 16; each recorded for 10 s on one gateway after the JIT settled (the
# same warm-up as bench/run.sh). Writes bench/.work/profile.md. Takes about 3 minutes. Needs what
# bench/run.sh needs (Java 17+ with `jfr` and `jcmd`, Go, Python 3); loopback only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
WORK="$BENCH/.work"
JAR="$WORK/gateway.jar" SPLICE="" DUR=10s
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jar) JAR="$2"; shift ;;
    --splice) SPLICE="$2"; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "profile.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -f "$JAR" ]] || JAR="$ROOT/server/target/provider-gateway.jar"
[[ -f "$JAR" ]] || { echo "profile.sh: no jar; run bench/run.sh or ./mvnw package first" >&2; exit 1; }
OUTDIR="$WORK/profile"
rm -rf "$OUTDIR"
mkdir -p "$OUTDIR" "$WORK/bin"
T0=$SECONDS
log() { echo "==> profile [$((SECONDS - T0))s]: $*" >&2; }
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

[[ -x "$WORK/bin/mock" ]] || (cd "$BENCH/mock" && go build -o "$WORK/bin/mock" .)
[[ -x "$WORK/bin/loadgen" ]] || (cd "$BENCH/loadgen" && go build -o "$WORK/bin/loadgen" .)
LG="$WORK/bin/loadgen"
WARMUP_JIT=20s WARMUP_MAX=6
# shellcheck source=bench/jit.sh
. "$BENCH/jit.sh"

"$WORK/bin/mock" -addr-file "$OUTDIR/mock.addr" >"$OUTDIR/mock.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [[ -s "$OUTDIR/mock.addr" ]] && break; sleep 0.05; done
MOCK="$(cat "$OUTDIR/mock.addr")"
{
  echo "providers:"
  echo "  - {name: mock, type: openai, base_url: \"http://$MOCK/v1\", api_key: \"bench\"}"
  echo "resilience: {max_concurrent_calls: 20000, max_concurrent_per_provider: 20000}"
} >"$OUTDIR/gateway.yaml"
# One recording from the start: starting JFR later retransforms the JDK's I/O classes for its
# events, which sends the JIT back to compiling the hot path during the window being measured.
PROVIDER_GATEWAY_HTTP_PORT=0 java -XX:StartFlightRecording=name=bench,settings=profile,disk=true,maxage=10m ${GATEWAY_JAVA_OPTS:-} -jar "$JAR" --config "$OUTDIR/gateway.yaml" --port 0 >"$OUTDIR/gateway.log" 2>&1 &
GP=$!
PIDS+=("$GP")
for _ in $(seq 300); do grep -q 'listening on' "$OUTDIR/gateway.log" && break; sleep 0.05; done
GW="127.0.0.1:$(grep -o 'listening on [^ ]*' "$OUTDIR/gateway.log" | sed 's/.*://')"
log "gateway $JAR on $GW (pid $GP); load average $(cut -d' ' -f1-3 /proc/loadavg)"
warm_jit "$GP" "$GW" chat stream echo

record() { # name, title, load generator arguments...
  local name=$1 title=$2
  shift 2
  log "recording $name for $DUR"
  local begin end
  begin="$(date -u +%FT%TZ)"
  "$LG" -name "$name" "$@" -duration "$DUR" -warmup 0s -pids "gateway=$GP" >"$OUTDIR/$name.json"
  end="$(date -u +%FT%TZ)"
  jcmd "$GP" JFR.dump name=bench begin="$begin" end="$end" filename="$OUTDIR/$name.jfr" >/dev/null
  python3 "$BENCH/jfr_profile.py" --jfr "$OUTDIR/$name.jfr" --title "$title" --load "$OUTDIR/$name.json" --begin "$begin" --end "$end" >"$OUTDIR/$name.md"
}
record unary "OpenAI-compatible unary at concurrency 64 (scenario 1's peak)" -mode grpc-chat -target "$GW" -provider mock -model bench-t16 -concurrency 64
record echo "Echo unary at concurrency 64 (scenario 2's peak)" -mode grpc-chat -target "$GW" -provider echo -concurrency 64
record stream "Streams of 256 tokens at concurrency 16 (scenario 3's peak)" -mode grpc-stream -target "$GW" -provider mock -model bench-t256 -concurrency 16

{
  echo "<!-- profile:begin -->"
  echo "## Profiles: where the time goes at the peaks"
  echo
  echo "Produced by \`bench/profile.sh\` on $(date -u +%FT%TZ) at commit \`$(git -C "$ROOT" rev-parse --short HEAD)\` ($(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg) at the end): one gateway, JFR \`settings=profile\` for $DUR per load after the JIT warm-up, summarised by \`bench/jfr_profile.py\`. Execution samples come from threads running Java code only: time a thread spends in native code (socket reads and writes, epoll) is not in them, so the shares are of the Java time."
  echo
  cat "$OUTDIR/unary.md" "$OUTDIR/echo.md" "$OUTDIR/stream.md"
  echo "<!-- profile:end -->"
} >"$WORK/profile.md"
log "wrote $WORK/profile.md"
if [[ -n "$SPLICE" ]]; then
  python3 - "$SPLICE" "$WORK/profile.md" <<'EOF'
import re, sys
path, section = sys.argv[1], open(sys.argv[2]).read().rstrip("\n") + "\n"
text = open(path).read()
pattern = re.compile(r"<!-- profile:begin -->.*?<!-- profile:end -->\n?", re.S)
if pattern.search(text):
    text = pattern.sub(lambda _: section, text)
else:
    marker = "<!-- soak:begin -->"
    text = text.replace(marker, section + "\n" + marker) if marker in text else text + "\n" + section
open(path, "w").write(text)
EOF
  log "spliced into $SPLICE"
fi
