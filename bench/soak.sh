#!/usr/bin/env bash
# The soak: mixed traffic against fake upstreams for a long time, with the gateway's resources
# sampled every 30 s; the results go into a section of bench/RESULTS.md (table, plot, verdict).
#
#   bench/soak.sh            30 minutes (also: bench/run.sh --soak); writes the soak section of
#                            bench/RESULTS.md and the plot bench/soak.png
#   bench/soak.sh --quick    2 minutes (bench/run.sh --quick runs it): the section goes into
#                            bench/.work/RESULTS-quick.md; checks that it produced numbers, not
#                            the 10 % criterion (no plot, so CI installs no matplotlib)
#
# Options: --duration D (e.g. 45m), --out FILE (the markdown file whose soak section is written or
# replaced). Needs Java 17+ (with jcmd), Go 1.23+ and Python 3.9+; the full run installs
# matplotlib into bench/.work/venv-plot (git-ignored). Loopback only; it stops by itself after
# the duration plus at most a minute.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
WORK="$BENCH/.work"
QUICK=0 OUT="" DURATION=""
ARGS="$*"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --duration) DURATION="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [[ $QUICK == 1 ]]; then
  DURATION="${DURATION:-2m}" WARMUP=30s SAMPLE=15s RELOAD=30s IDLE=5s PLOT=0
  OUT="${OUT:-$WORK/RESULTS-quick.md}"
else
  DURATION="${DURATION:-30m}" WARMUP=5m SAMPLE=30s RELOAD=3m IDLE=15s PLOT=1
  OUT="${OUT:-$BENCH/RESULTS.md}"
fi

mkdir -p "$WORK/bin" "$WORK/logs"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
T0=$SECONDS
log() { echo "==> soak [$((SECONDS - T0))s]: $*" >&2; }

# ---- build ----------------------------------------------------------------------------------
JAR="$ROOT/server/target/provider-gateway.jar"
if [[ ! -f "$JAR" ]]; then
  log "building the server jar"
  (cd "$ROOT" && ./mvnw -B -q -ntp -pl server -am package -DskipTests)
fi
cp "$JAR" "$WORK/soak-gateway.jar" # a private copy: a concurrent rebuild cannot change it mid-run
(cd "$BENCH/mock" && go build -o "$WORK/bin/mock" .)
(cd "$BENCH/loadgen" && go build -o "$WORK/bin/loadgen" .)
PY=python3
if [[ $PLOT == 1 ]]; then
  MPL_VERSION=3.11.2 # pinned
  VENV="$WORK/venv-plot"
  if ! "$VENV/bin/python" -c "import matplotlib, sys; sys.exit(matplotlib.__version__ != '$MPL_VERSION')" 2>/dev/null; then
    log "installing matplotlib $MPL_VERSION into bench/.work/venv-plot"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "matplotlib==$MPL_VERSION"
  fi
  PY="$VENV/bin/python"
fi

# ---- the mock upstream and the gateway ------------------------------------------------------
rm -f "$WORK/soak-mock.addr"
"$WORK/bin/mock" -addr-file "$WORK/soak-mock.addr" >"$WORK/logs/soak-mock.log" 2>&1 &
MOCK_PID=$!
PIDS+=("$MOCK_PID")
for _ in $(seq 100); do [[ -s "$WORK/soak-mock.addr" ]] && break; sleep 0.05; done
MOCK="$(cat "$WORK/soak-mock.addr")"
# One provider entry per behaviour, all on the same mock, so the circuit breaker that a faulty
# kind opens never blocks the healthy traffic. `faulty` and `limited` keep the default breaker
# (it opens and closes during the soak); `slow` and `broken` get a lenient one so that most of
# their stalls and dropped connections reach the mock instead of failing fast. The load generator rewrites this file from the
# template (__GEN__: the reload's number), which changes the route and so the config's digest.
CONF="$WORK/soak.yaml"
cat >"$WORK/soak.yaml.in" <<EOF
# bench/soak.sh: config generation __GEN__ (rewritten atomically by the load generator)
providers:
  - {name: mock, type: openai, base_url: "http://$MOCK/v1", api_key: "bench"}
  - {name: slow, type: openai, base_url: "http://$MOCK/v1", api_key: "bench", breaker: {failure_threshold: 100, open_duration: 2s}}
  - {name: faulty, type: openai, base_url: "http://$MOCK/v1", api_key: "bench"}
  - {name: limited, type: openai, base_url: "http://$MOCK/v1", api_key: "bench"}
  - {name: broken, type: openai, base_url: "http://$MOCK/v1", api_key: "bench", breaker: {failure_threshold: 100, open_duration: 2s}}
routes:
  soak-gen-__GEN__:
    targets: [{provider: mock, model: bench-t16}]
EOF
sed 's/__GEN__/0/g' "$WORK/soak.yaml.in" >"$CONF"
java ${GATEWAY_JAVA_OPTS:-} -jar "$WORK/soak-gateway.jar" --config "$CONF" --port 0 >"$WORK/logs/soak-gateway.log" 2>&1 &
GW_PID=$!
PIDS+=("$GW_PID")
for _ in $(seq 300); do grep -q 'listening on' "$WORK/logs/soak-gateway.log" && break; sleep 0.05; done
GW_PORT="$(grep -o 'listening on [^ ]*' "$WORK/logs/soak-gateway.log" | sed 's/.*://')"
[[ -n "$GW_PORT" ]] || { cat "$WORK/logs/soak-gateway.log" >&2; exit 1; }
log "mock on $MOCK (pid $MOCK_PID), gateway on 127.0.0.1:$GW_PORT (pid $GW_PID); $DURATION of mixed traffic"

META="$WORK/soak-meta.json"
cat >"$META" <<EOF
{"command":"${BENCH_COMMAND:-bench/soak.sh $ARGS}","date":"$(date -u +%FT%TZ)","git":"$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- server sdk proto || echo '+dirty')","nproc":$(nproc),"mem_gib":$(awk '/MemTotal/{printf "%.0f", $2/1048576}' /proc/meminfo),"loadavg_start":"$(cut -d' ' -f1-3 /proc/loadavg)","java":"$(java -version 2>&1 | head -1 | tr -d '"')","java_opts":"${GATEWAY_JAVA_OPTS:-}","quick":$QUICK}
EOF
curl -s "http://$MOCK/stats" >"$WORK/soak-mock-before.json"
"$WORK/bin/loadgen" -mode soak -name soak -target "127.0.0.1:$GW_PORT" -pids "gateway=$GW_PID" \
  -upstream-port "${MOCK##*:}" -duration "$DURATION" -warmup "$WARMUP" -sample-every "$SAMPLE" -idle "$IDLE" \
  -reload-every "$RELOAD" -config "$CONF" -config-template "$WORK/soak.yaml.in" -concurrency 64 \
  >"$WORK/soak.json" 2> >(tee "$WORK/logs/soak-loadgen.log" >&2)
curl -s "http://$MOCK/stats" >"$WORK/soak-mock-after.json"
python3 - "$META" "$WORK/logs/soak-gateway.log" <<'EOF'
import json, sys
meta = json.load(open(sys.argv[1]))
log = open(sys.argv[2], errors="replace").read().splitlines()
meta["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
meta["gateway_log"] = {
    "config reloaded from": sum("config reloaded from" in l for l in log),
    "config reload rejected": sum("config reload rejected" in l for l in log),
    "ERROR": sum("ERROR" in l for l in log),
    "Exception": sum("Exception" in l for l in log),
}
json.dump(meta, open(sys.argv[1], "w"))
EOF
kill "$GW_PID" "$MOCK_PID" 2>/dev/null || true

CHECK=()
[[ $QUICK == 1 ]] && CHECK=(--check)
PLOTARG=()
[[ $PLOT == 1 ]] && PLOTARG=(--plot "$BENCH/soak.png")
"$PY" "$BENCH/soak_report.py" --soak "$WORK/soak.json" --meta "$META" --mock-before "$WORK/soak-mock-before.json" \
  --mock-after "$WORK/soak-mock-after.json" --splice "$OUT" "${PLOTARG[@]}" "${CHECK[@]}"
log "wrote the soak section of $OUT"
