#!/usr/bin/env bash
# Runs every benchmark scenario side by side in one run and writes a markdown results table.
#
#   bench/run.sh            full run (about 15 minutes; installs the peers LiteLLM and Portkey)
#   bench/run.sh --quick    every scenario briefly (CI: proves the harness works; checks no speed),
#                           the soak for 2 minutes included
#   bench/run.sh --soak     only the soak: 30 minutes of mixed traffic, faults and config reloads
#                           (bench/soak.sh; its own section of bench/RESULTS.md)
#
# Options: --no-peers (skip LiteLLM and Portkey), --no-jmh, --rebuild (rebuild the server jar
# first), --out FILE (default: bench/RESULTS.md for a full run, bench/.work/RESULTS-quick.md for
# --quick), --baseline REV (also run scenarios 1 and 3 against the gateway built from git revision
# REV). Needs Java 17+, Go 1.23+ and Python 3.9+ (and Node 18.14+ and npm for Portkey); the rest is
# built or installed here, under git-ignored bench/.work/, bench/.venv-litellm/ and
# bench/portkey/node_modules/. Loopback traffic only; every load is bounded.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
WORK="$BENCH/.work"
QUICK=0 PEERS=1 JMH=1 REBUILD=0 OUT="" BASELINE=""
ARGS="$*"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --no-peers) PEERS=0 ;;
    --no-jmh) JMH=0 ;;
    --rebuild) REBUILD=1 ;;
    --out) OUT="$2"; shift ;;
    --baseline) BASELINE="$2"; shift ;;
    --soak) # the soak alone (bench/soak.sh takes the options after --soak; a --quick before it too)
      shift; [[ $QUICK == 1 ]] && set -- --quick "$@"
      BENCH_COMMAND="bench/run.sh $ARGS" exec "$(dirname "${BASH_SOURCE[0]}")/soak.sh" "$@" ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [[ $QUICK == 1 ]]; then
  PEERS=0 # LiteLLM is a 700 MB install with a ~10 s start, Portkey an npm install: full runs only
  OUT="${OUT:-$WORK/RESULTS-quick.md}"
else
  OUT="${OUT:-$BENCH/RESULTS.md}"
fi

mkdir -p "$WORK/bin" "$WORK/logs"
# Every gateway started here (and by soak.sh) serves its OpenAI-compatible HTTP door on a free
# port instead of the default 8080, so runs never collide with each other or with a local gateway.
export PROVIDER_GATEWAY_HTTP_PORT=0
RESULTS="$WORK/results.jsonl"
: >"$RESULTS"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
T0=$SECONDS
log() { echo "==> bench [$((SECONDS - T0))s]: $*" >&2; }

# ---- scenario sizes ------------------------------------------------------------------------
if [[ $QUICK == 1 ]]; then
  DUR=1s WARM=0.5s WARMUP_JIT=1s WARMUP_MAX=1 RATES=(200 500) PEAK_C=16 STREAM_RATE=20 STREAM_C=4
  HOLDS=(100) HOLD=1s HOLD_BIG=0 HOLD_MODEL=bench-t1000000-i200 SLOW_STREAMS=20 SLOW_HOLD=4 COLD_RUNS=1 IDLE=1s PEER_DUR=1s
  COLD_VARIANTS=0 JMH_ARGS=(-f 1 -wi 0 -i 1 -r 100ms)
else
  DUR=15s WARM=3s WARMUP_JIT=20s WARMUP_MAX=6 RATES=(1000 5000) PEAK_C=64 STREAM_RATE=200 STREAM_C=16
  HOLDS=(1000 10000) HOLD=15s HOLD_BIG=50000 HOLD_MODEL=bench-t1000000-i2000 SLOW_STREAMS=200 SLOW_HOLD=30 COLD_RUNS=5 IDLE=3s PEER_DUR=15s
  COLD_VARIANTS=1 JMH_ARGS=(-f 2 -wi 3 -w 2s -i 5 -r 2s)
fi

# ---- build ----------------------------------------------------------------------------------
JAR="$ROOT/server/target/provider-gateway.jar"
if [[ $REBUILD == 1 || ! -f "$JAR" ]]; then
  log "building the server jar"
  (cd "$ROOT" && ./mvnw -B -q -ntp package -DskipTests)
fi
# A private copy, so a concurrent rebuild of server/target cannot change the jar mid-run.
cp "$JAR" "$WORK/gateway.jar"
GJAR="$WORK/gateway.jar"
log "building the mock upstream and the load generator (Go)"
(cd "$BENCH/mock" && go build -o "$WORK/bin/mock" .)
(cd "$BENCH/loadgen" && go build -o "$WORK/bin/loadgen" .)
LG="$WORK/bin/loadgen"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
lg() { "$LG" "$@" | tee -a "$RESULTS" >&2; }
wait_http() { # URL, tries 0.1 s apart: until it answers 2xx
  for _ in $(seq "$2"); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  return 1
}
note() { echo "$1" >>"$RESULTS"; } # a JSON line written by this script
# shellcheck source=bench/jit.sh
. "$BENCH/jit.sh" # warm_jit: JIT warm-up until the compiler settles
has_anthropic() { python3 - "$GJAR" <<'EOF'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
s = z.read("META-INF/services/dev.providergateway.provider.ProviderFactory").decode()
sys.exit(0 if "AnthropicProviderFactory" in s else 1)
EOF
}

# ---- the mock upstream ----------------------------------------------------------------------
rm -f "$WORK/mock.addr"
"$WORK/bin/mock" -addr-file "$WORK/mock.addr" >"$WORK/logs/mock.log" 2>&1 &
MOCK_PID=$!
PIDS+=("$MOCK_PID")
for _ in $(seq 100); do [[ -s "$WORK/mock.addr" ]] && break; sleep 0.05; done
MOCK="$(cat "$WORK/mock.addr")"
log "mock upstream on $MOCK (pid $MOCK_PID)"

# ---- the gateway ----------------------------------------------------------------------------
ANTHROPIC=0
if has_anthropic; then ANTHROPIC=1; fi
{
  echo "providers:"
  echo "  - {name: mock, type: openai, base_url: \"http://$MOCK/v1\", api_key: \"bench\"}"
  if [[ $ANTHROPIC == 1 ]]; then
    echo "  - {name: mockant, type: anthropic, base_url: \"http://$MOCK\", api_key: \"bench\"}"
  fi
  # Defaults otherwise, but room for scenario 4's 10,000 concurrent streams (defaults: 4,096
  # calls in all and 1,024 per provider, past which calls are refused at once).
  echo "resilience: {max_concurrent_calls: 20000, max_concurrent_per_provider: 20000}"
} >"$WORK/gateway.yaml"
# GATEWAY_JAVA_OPTS adds JVM flags to the gateway under load (default: none, as users run it).
# Unified GC logging (no effect on the collector): every pause with its wall-clock time in epoch
# milliseconds, so report.py --gc-pauses can pick the pauses inside scenario 1's peak window.
GC_LOG="$WORK/logs/gc.log"
rm -f "$GC_LOG"
GC_FLAGS="-Xlog:gc:file=$GC_LOG:timemillis,uptimemillis"
java $GC_FLAGS ${GATEWAY_JAVA_OPTS:-} -jar "$GJAR" --config "$WORK/gateway.yaml" --port 0 >"$WORK/logs/gateway.log" 2>&1 &
GW_PID=$!
PIDS+=("$GW_PID")
for _ in $(seq 300); do grep -q 'OpenAI-compatible HTTP on' "$WORK/logs/gateway.log" && break; sleep 0.05; done
GW_PORT="$(grep -o 'listening on [^ ]*' "$WORK/logs/gateway.log" | sed 's/.*://')"
[[ -n "$GW_PORT" ]] || { cat "$WORK/logs/gateway.log" >&2; exit 1; }
GW="127.0.0.1:$GW_PORT"
PG="gateway=$GW_PID,mock=$MOCK_PID"
# The same gateway's OpenAI-compatible HTTP door (scenario 6 measures it like the peers).
GW_HTTP="$(grep -o 'OpenAI-compatible HTTP on http://[^/]*' "$WORK/logs/gateway.log" | sed 's|.*http://||')"
[[ -n "$GW_HTTP" ]] || { cat "$WORK/logs/gateway.log" >&2; exit 1; }
log "gateway on $GW (pid $GW_PID, anthropic provider: $ANTHROPIC), HTTP door on $GW_HTTP"

note "{\"name\":\"meta\",\"command\":\"bench/run.sh $ARGS\",\"date\":\"$(date -u +%FT%TZ)\",\"git\":\"$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- server sdk proto || echo '+dirty')\",\"nproc\":$(nproc),\"mem_gib\":$(awk '/MemTotal/{printf "%.0f", $2/1048576}' /proc/meminfo),\"loadavg_start\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"java\":\"$(java -version 2>&1 | head -1 | tr -d '"')\",\"go\":\"$(go version | cut -d' ' -f3)\",\"anthropic\":$ANTHROPIC,\"quick\":$QUICK,\"baseline\":\"$BASELINE\"}"

# The JIT compiles the hot paths during the first seconds: warm every path (together, so the
# profiles the compiler sees are the mixed ones) until the compiler has settled.
warm_jit "$GW_PID" "$GW" chat stream echo

OPEN=(-concurrency 5000 -duration "$DUR" -warmup "$WARM")
PEAK=(-concurrency "$PEAK_C" -duration "$DUR" -warmup "$WARM")

# ---- 1. unary through an OpenAI-compatible provider ----------------------------------------
log "scenario 1: unary Chat, OpenAI-compatible provider vs direct to the mock"
for r in "${RATES[@]}"; do
  lg -name "s1.direct.$r" -mode http-chat -url "http://$MOCK/v1/chat/completions" -model bench-t16 -rate "$r" "${OPEN[@]}" -pids "$PG"
  lg -name "s1.gateway.$r" -mode grpc-chat -target "$GW" -provider mock -model bench-t16 -rate "$r" "${OPEN[@]}" -pids "$PG"
done
lg -name s1.direct.peak -mode http-chat -url "http://$MOCK/v1/chat/completions" -model bench-t16 "${PEAK[@]}" -pids "$PG"
GC_FROM="$(date +%s%3N)"
lg -name s1.gateway.peak -mode grpc-chat -target "$GW" -provider mock -model bench-t16 "${PEAK[@]}" -pids "$PG"
# The GC pauses of the gateway during that peak run (warm-up included): count, max, p99.
note "$(python3 "$BENCH/report.py" --gc-pauses "$GC_LOG" "$GC_FROM" "$(date +%s%3N)" s1.gc.peak)"
if [[ $ANTHROPIC == 1 ]]; then
  r="${RATES[0]}"
  lg -name "s1.direct-anthropic.$r" -mode http-chat -url "http://$MOCK/v1/messages" -model bench-t16 -rate "$r" "${OPEN[@]}" -pids "$PG"
  lg -name "s1.gateway-anthropic.$r" -mode grpc-chat -target "$GW" -provider mockant -model bench-t16 -rate "$r" "${OPEN[@]}" -pids "$PG"
  lg -name s1.gateway-anthropic.peak -mode grpc-chat -target "$GW" -provider mockant -model bench-t16 "${PEAK[@]}" -pids "$PG"
fi

# ---- 2. unary through the echo provider (the gateway's own cost) ---------------------------
log "scenario 2: unary Chat, echo provider vs a bare gRPC health check on the same server"
for r in "${RATES[@]}"; do
  lg -name "s2.health.$r" -mode grpc-health -target "$GW" -rate "$r" "${OPEN[@]}" -pids "$PG"
  lg -name "s2.echo.$r" -mode grpc-chat -target "$GW" -provider echo -rate "$r" "${OPEN[@]}" -pids "$PG"
done
lg -name s2.health.peak -mode grpc-health -target "$GW" "${PEAK[@]}" -pids "$PG"
lg -name s2.echo.peak -mode grpc-chat -target "$GW" -provider echo "${PEAK[@]}" -pids "$PG"

# ---- 3. streaming -------------------------------------------------------------------------
log "scenario 3: streaming (64 tokens a stream, unpaced; then 32 tokens 5 ms apart)"
S3=(-rate "$STREAM_RATE" "${OPEN[@]}" -pids "$PG")
lg -name s3.direct.burst -mode http-stream -url "http://$MOCK/v1/chat/completions" -model bench-t64 "${S3[@]}"
lg -name s3.gateway.burst -mode grpc-stream -target "$GW" -provider mock -model bench-t64 "${S3[@]}"
lg -name s3.direct.paced -mode http-stream -url "http://$MOCK/v1/chat/completions" -model bench-t32-i5 "${S3[@]}"
lg -name s3.gateway.paced -mode grpc-stream -target "$GW" -provider mock -model bench-t32-i5 "${S3[@]}"
lg -name s3.direct.peak -mode http-stream -url "http://$MOCK/v1/chat/completions" -model bench-t256 -concurrency "$STREAM_C" -duration "$DUR" -warmup "$WARM" -pids "$PG"
lg -name s3.gateway.peak -mode grpc-stream -target "$GW" -provider mock -model bench-t256 -concurrency "$STREAM_C" -duration "$DUR" -warmup "$WARM" -pids "$PG"

# ---- 3b. before / after: the same scenarios against the gateway built from --baseline REV -----
if [[ -n "$BASELINE" ]]; then
  BJAR="$WORK/baseline-$BASELINE.jar"
  if [[ ! -f "$BJAR" ]]; then
    log "building the baseline jar at $BASELINE (a temporary git worktree)"
    BWT="$(mktemp -d)"
    git -C "$ROOT" worktree add -q --detach "$BWT" "$BASELINE"
    (cd "$BWT" && ./mvnw -B -q -ntp package -DskipTests -pl server -am) && cp "$BWT/server/target/provider-gateway.jar" "$BJAR"
    git -C "$ROOT" worktree remove --force "$BWT"
  fi
  log "scenario 3b: the baseline gateway ($BASELINE), same mock, same scenarios"
  java ${GATEWAY_JAVA_OPTS:-} -jar "$BJAR" --config "$WORK/gateway.yaml" --port 0 >"$WORK/logs/gateway-baseline.log" 2>&1 &
  BASE_PID=$!
  PIDS+=("$BASE_PID")
  for _ in $(seq 300); do grep -q 'listening on' "$WORK/logs/gateway-baseline.log" && break; sleep 0.05; done
  BASE="127.0.0.1:$(grep -o 'listening on [^ ]*' "$WORK/logs/gateway-baseline.log" | sed 's/.*://')"
  warm_jit "$BASE_PID" "$BASE" chat stream
  PB="gateway=$BASE_PID,mock=$MOCK_PID"
  for r in "${RATES[@]}"; do
    lg -name "s1base.direct.$r" -mode http-chat -url "http://$MOCK/v1/chat/completions" -model bench-t16 -rate "$r" "${OPEN[@]}" -pids "$PB"
    lg -name "s1base.gateway.$r" -mode grpc-chat -target "$BASE" -provider mock -model bench-t16 -rate "$r" "${OPEN[@]}" -pids "$PB"
  done
  lg -name s1base.gateway.peak -mode grpc-chat -target "$BASE" -provider mock -model bench-t16 "${PEAK[@]}" -pids "$PB"
  lg -name s3base.gateway.paced -mode grpc-stream -target "$BASE" -provider mock -model bench-t32-i5 -rate "$STREAM_RATE" "${OPEN[@]}" -pids "$PB"
  lg -name s3base.gateway.peak -mode grpc-stream -target "$BASE" -provider mock -model bench-t256 -concurrency "$STREAM_C" -duration "$DUR" -warmup "$WARM" -pids "$PB"
  kill "$BASE_PID" 2>/dev/null || true
fi

# ---- 4. many long-lived streams, and a slow reader ----------------------------------------
# A fresh gateway, so its memory shows the streams and not the heap that the earlier load grew.
kill "$GW_PID" 2>/dev/null || true
wait "$GW_PID" 2>/dev/null || true
java ${GATEWAY_JAVA_OPTS:-} -jar "$GJAR" --config "$WORK/gateway.yaml" --port "$GW_PORT" >"$WORK/logs/gateway-streams.log" 2>&1 &
GW_PID=$!
PIDS+=("$GW_PID")
for _ in $(seq 300); do grep -q 'OpenAI-compatible HTTP on' "$WORK/logs/gateway-streams.log" && break; sleep 0.05; done
PG="gateway=$GW_PID,mock=$MOCK_PID"
GW_HTTP="$(grep -o 'OpenAI-compatible HTTP on http://[^/]*' "$WORK/logs/gateway-streams.log" | sed 's|.*http://||')"
log "scenario 4: concurrent long-lived streams ($HOLD_MODEL: a token every 2 s in full runs), fresh gateway (pid $GW_PID)"
live_heap_mb() { # live heap after a full GC
  jcmd "$GW_PID" GC.run >/dev/null 2>&1 || true
  jcmd "$GW_PID" GC.heap_info 2>/dev/null | grep -o 'used [0-9]*K' | head -1 | tr -dc 0-9 | awk '{printf "%.1f", $1/1024}'
}
for n in "${HOLDS[@]}"; do
  lg -name "s4.hold.$n" -mode hold -target "$GW" -provider mock -model "$HOLD_MODEL" -streams "$n" -rate 2000 -hold "$HOLD" -pids "$PG"
done
if (( HOLD_BIG > 0 )); then
  # 50,000 streams need 50,000 upstream sockets (one HTTP/1.1 connection each) in the gateway and
  # in the mock: more than the default ephemeral port range to one address and than the usual
  # open-file limit. bench/hold-netns.sh raises both for that run alone, in a private network
  # namespace (loopback only, its own mock and fresh gateway), or records why it could not.
  log "scenario 4: $HOLD_BIG streams in a private network namespace (bench/hold-netns.sh)"
  # shellcheck disable=SC2086 # GATEWAY_JAVA_OPTS is a list of flags
  "$BENCH/hold-netns.sh" "$GJAR" "$LG" "$WORK/bin/mock" "$HOLD_BIG" "$HOLD" "$RESULTS" ${GATEWAY_JAVA_OPTS:-}
fi
log "scenario 4b: slow readers ($SLOW_STREAMS streams, unpaced upstream, client reads one chunk per 20 ms)"
tokens_before="$(curl -s "http://$MOCK/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stream_tokens"])')"
"$LG" -name s4.slowreader -mode hold -target "$GW" -provider mock -model bench-t100000000 -streams "$SLOW_STREAMS" \
  -read-delay 20ms -window 65535 -rate 1000 -hold "${SLOW_HOLD}s" -pids "$PG" >"$WORK/slow.json" &
SLOW_LG=$!
sleep 3
heap_start="$(live_heap_mb)"
sleep $((SLOW_HOLD / 2))
heap_mid="$(live_heap_mb)"
wait "$SLOW_LG"
heap_end="$(live_heap_mb)"
tokens_after="$(curl -s "http://$MOCK/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stream_tokens"])')"
python3 - "$WORK/slow.json" "$heap_start" "$heap_mid" "$heap_end" $((tokens_after - tokens_before)) >>"$RESULTS" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
r.update(live_heap_mb=[float(x or 0) for x in sys.argv[2:5]], mock_tokens_written=int(sys.argv[5]))
print(json.dumps(r))
EOF
tail -1 "$RESULTS" >&2

# ---- 5. cold start and idle memory --------------------------------------------------------
log "scenario 5: cold start (process start to SERVING) and idle resident memory"
CDS="$WORK/gateway-cds.jsa"
LEAN="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k -XX:MaxRAMPercentage=25"
cold() { # name, JVM flags
  local port; port="$(free_port)"
  lg -name "$1" -mode coldstart -target "127.0.0.1:$port" -runs "$COLD_RUNS" -idle "$IDLE" -cmd "java $2 -jar $GJAR --port $port"
}
cold s5.default ""
cold s5.lean "$LEAN"
# An AppCDS archive of the classes a start and a first call load (JDK 13+ dynamic archive).
rm -f "$CDS"
port="$(free_port)"
java -XX:ArchiveClassesAtExit="$CDS" -jar "$GJAR" --port "$port" >"$WORK/logs/cds-train.log" 2>&1 &
TRAIN=$!
"$LG" -mode grpc-chat -target "127.0.0.1:$port" -provider echo -concurrency 1 -duration 1s -warmup 0s >/dev/null 2>&1 || true
kill -TERM "$TRAIN"; wait "$TRAIN" || true
if [[ -s "$CDS" ]]; then
  cold s5.cds-lean "-XX:SharedArchiveFile=$CDS $LEAN"
  [[ $COLD_VARIANTS == 1 ]] && cold s5.cds "-XX:SharedArchiveFile=$CDS"
fi
[[ $COLD_VARIANTS == 1 ]] && cold s5.serialgc "-XX:+UseSerialGC"

# ---- 6. the HTTP door, measured exactly like the peers below --------------------------------
# The gateway's own OpenAI-compatible door (POST /v1/chat/completions, model bench-t16 on the
# default provider, the mock) over HTTP by the same load generator the peers get: concurrency 10,
# 50 req/s, and 1,000 req/s for the added p99 (against s1.direct.1000 of the same run; quick
# runs use their own rates). Runs in quick mode too, so CI proves it produces numbers.
log "scenario 6: the gateway's OpenAI-compatible HTTP door against the same mock"
HT=(-url "http://$GW_HTTP/v1/chat/completions" -model bench-t16 -pids "$PG")
"$LG" -mode http-chat "${HT[@]}" -concurrency 32 -duration "$WARMUP_JIT" -warmup 0s >/dev/null
lg -name s6.http.c10 -mode http-chat "${HT[@]}" -concurrency 10 -duration "$PEER_DUR" -warmup 2s
lg -name s6.http.r50 -mode http-chat "${HT[@]}" -rate 50 -concurrency 5000 -duration "$PEER_DUR" -warmup 2s
for r in "${RATES[@]}"; do
  lg -name "s6.http.$r" -mode http-chat "${HT[@]}" -rate "$r" "${OPEN[@]}"
done
# This gateway (scenario 4's) has served held streams and the door, never unary gRPC: warm that
# path as the door was warmed before its own concurrency-10 run (without it the JIT was still
# compiling the unary path all through the run, which measured a fifth of the door's throughput).
warm_jit "$GW_PID" "$GW" chat10
lg -name s6.gateway.c10 -mode grpc-chat -target "$GW" -provider mock -model bench-t16 -concurrency 10 -duration "$PEER_DUR" -warmup 2s -pids "$PG"
lg -name s6.direct.c10 -mode http-chat -url "http://$MOCK/v1/chat/completions" -model bench-t16 -concurrency 10 -duration "$PEER_DUR" -warmup 2s -pids "$PG"
lg -name s6.direct.r50 -mode http-chat -url "http://$MOCK/v1/chat/completions" -model bench-t16 -rate 50 -concurrency 5000 -duration "$PEER_DUR" -warmup 2s -pids "$PG"
lg -name s6.gateway.r50 -mode grpc-chat -target "$GW" -provider mock -model bench-t16 -rate 50 -concurrency 5000 -duration "$PEER_DUR" -warmup 2s -pids "$PG"

# ---- 6. peers -------------------------------------------------------------------------------
if [[ $PEERS == 1 ]]; then
  log "scenario 6: LiteLLM proxy against the same mock"
  LITELLM_VERSION=1.106.12 # pinned; 1.107.0 was a compromised release, 1.108+ needs litellm-proxy (not on PyPI)
  VENV="$BENCH/.venv-litellm"
  if [[ ! -x "$VENV/bin/litellm" ]] || ! "$VENV/bin/pip" show litellm 2>/dev/null | grep -q "^Version: $LITELLM_VERSION$"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "litellm[proxy]==$LITELLM_VERSION"
  fi
  KEY="sk-bench-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  cat >"$WORK/litellm.yaml" <<EOF
model_list:
  - model_name: bench-t16
    litellm_params: {model: openai/bench-t16, api_base: "http://$MOCK/v1", api_key: bench}
litellm_settings: {telemetry: false}
general_settings: {master_key: $KEY}
EOF
  LPORT="$(free_port)"
  t0="$(date +%s.%N)"
  LITELLM_LOG=ERROR "$VENV/bin/litellm" --config "$WORK/litellm.yaml" --host 127.0.0.1 --port "$LPORT" >"$WORK/logs/litellm.log" 2>&1 &
  LL_PID=$!
  PIDS+=("$LL_PID")
  wait_http "http://127.0.0.1:$LPORT/health/liveliness" 1200 || true
  t1="$(date +%s.%N)"
  note "{\"name\":\"s6.litellm.start\",\"start_s\":$(python3 -c "print(round($t1-$t0,2))"),\"rss_mb\":$(awk '/VmRSS/{printf "%.1f", $2/1024}' /proc/$LL_PID/status),\"version\":\"$LITELLM_VERSION\"}"
  LL=(-url "http://127.0.0.1:$LPORT/v1/chat/completions" -auth "Bearer $KEY" -model bench-t16 -pids "litellm=$LL_PID,mock=$MOCK_PID")
  # Peers were measured at concurrency 10: the same here for LiteLLM, the gateway and the mock.
  lg -name s6.litellm.c10 -mode http-chat "${LL[@]}" -concurrency 10 -duration "$PEER_DUR" -warmup 5s
  lg -name s6.litellm.r50 -mode http-chat "${LL[@]}" -rate 50 -concurrency 5000 -duration "$PEER_DUR" -warmup 2s
  note "{\"name\":\"s6.litellm.end\",\"rss_mb\":$(awk '/VmRSS/{printf "%.1f", $2/1024}' /proc/$LL_PID/status),\"gateway_rss_mb\":$(awk '/VmRSS/{printf "%.1f", $2/1024}' /proc/$GW_PID/status)}"
  kill "$LL_PID" 2>/dev/null || true

  # Portkey's open-source gateway (Node, Hono), pinned with its lockfile in bench/portkey, measured
  # like LiteLLM; the direct and gateway rows above are its baselines too.
  PK="$BENCH/portkey"
  PKG="$PK/node_modules/@portkey-ai/gateway"
  if command -v node >/dev/null && command -v npm >/dev/null; then
    PORTKEY_VERSION="$(node -p 'require(process.argv[1]).dependencies["@portkey-ai/gateway"]' "$PK/package.json")"
    if [[ "$(node -p 'require(process.argv[1]).version' "$PKG/package.json" 2>/dev/null)" != "$PORTKEY_VERSION" ]]; then
      log "installing Portkey $PORTKEY_VERSION into bench/portkey/node_modules (npm ci)"
      (cd "$PK" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    fi
    for _ in $(seq 100); do kill -0 "$LL_PID" 2>/dev/null || break; sleep 0.1; done # LiteLLM gone first
    log "scenario 6: Portkey AI gateway $PORTKEY_VERSION against the same mock"
    PKPORT="$(free_port)"
    t0="$(date +%s.%N)"
    # --headless: no web UI. loopback.cjs binds it to 127.0.0.1 (start-server.js has no host flag);
    # TRUSTED_CUSTOM_HOSTS lets the x-portkey-custom-host header name the mock on loopback.
    TRUSTED_CUSTOM_HOSTS=127.0.0.1 node --require "$PK/loopback.cjs" "$PKG/build/start-server.js" --port="$PKPORT" --headless \
      >"$WORK/logs/portkey.log" 2>&1 &
    PK_PID=$!
    PIDS+=("$PK_PID")
    wait_http "http://127.0.0.1:$PKPORT/" 600 || true
    t1="$(date +%s.%N)"
    note "{\"name\":\"s6.portkey.start\",\"start_s\":$(python3 -c "print(round($t1-$t0,2))"),\"rss_mb\":$(awk '/VmRSS/{printf "%.1f", $2/1024}' /proc/$PK_PID/status),\"version\":\"$PORTKEY_VERSION\"}"
    PKR=(-url "http://127.0.0.1:$PKPORT/v1/chat/completions" -auth "Bearer bench" -header "x-portkey-provider: openai"
      -header "x-portkey-custom-host: http://$MOCK/v1" -model bench-t16 -pids "portkey=$PK_PID,mock=$MOCK_PID")
    lg -name s6.portkey.c10 -mode http-chat "${PKR[@]}" -concurrency 10 -duration "$PEER_DUR" -warmup 5s
    lg -name s6.portkey.r50 -mode http-chat "${PKR[@]}" -rate 50 -concurrency 5000 -duration "$PEER_DUR" -warmup 2s
    note "{\"name\":\"s6.portkey.end\",\"rss_mb\":$(awk '/VmRSS/{printf "%.1f", $2/1024}' /proc/$PK_PID/status)}"
    kill "$PK_PID" 2>/dev/null || true
  else
    log "scenario 6: no node/npm on PATH, Portkey skipped"
  fi
fi

# ---- 7. JMH microbenchmarks of the per-chunk hot path ---------------------------------------
if [[ $JMH == 1 ]]; then
  log "scenario 7: JMH (per-chunk hot path)"
  kill "$GW_PID" 2>/dev/null || true # quiet machine for the microbenchmarks
  (cd "$ROOT" && ./mvnw -B -q -ntp -f bench/jmh/pom.xml package -Dgateway.jar="$GJAR")
  java -cp "$BENCH/jmh/target/benchmarks.jar:$GJAR" org.openjdk.jmh.Main "${JMH_ARGS[@]}" \
    -rf json -rff "$WORK/jmh.json" >"$WORK/logs/jmh.log" 2>&1 || { tail -20 "$WORK/logs/jmh.log" >&2; exit 1; }
  python3 -c 'import json,sys; [print(json.dumps({"name":"s7.jmh","benchmark":b["benchmark"],"ns_per_op":b["primaryMetric"]["score"],"error":b["primaryMetric"]["scoreError"]})) for b in json.load(open(sys.argv[1]))]' "$WORK/jmh.json" >>"$RESULTS"
fi

# ---- 8. shared state: what Redis on loopback adds to an admission ---------------------------
if command -v redis-server >/dev/null 2>&1; then
  log "scenario 8: key-limit admission at 1,000/s, in-process buckets vs Redis on loopback"
  kill "$GW_PID" 2>/dev/null || true # quiet machine: only the harness and Redis
  [[ -f "$BENCH/jmh/target/benchmarks.jar" && $JMH == 1 ]] ||
    (cd "$ROOT" && ./mvnw -B -q -ntp -f bench/jmh/pom.xml package -Dgateway.jar="$GJAR")
  RPORT="$(free_port)"
  redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no >"$WORK/logs/redis.log" 2>&1 &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  for _ in $(seq 50); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  S8_SECONDS=10
  [[ $QUICK == 1 ]] && S8_SECONDS=1
  java -cp "$BENCH/jmh/target/benchmarks.jar:$GJAR" dev.providergateway.state.SharedStateLatency \
    "redis://127.0.0.1:$RPORT" 1000 "$S8_SECONDS" 2>"$WORK/logs/s8.log" | tee -a "$RESULTS" >&2
  kill "$REDIS_PID" 2>/dev/null || true
else
  log "scenario 8: no redis-server on PATH, skipped (apt-get install redis-server)"
fi

note "{\"name\":\"meta.end\",\"loadavg_end\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"date\":\"$(date -u +%FT%TZ)\"}"
CHECK=()
[[ $QUICK == 1 ]] && CHECK=(--check)
# The soak's section (bench/soak.sh) comes from its own run: keep it when the rest is rewritten.
SOAK_SECTION="$(sed -n '/^<!-- soak:begin -->$/,/^<!-- soak:end -->$/p' "$OUT" 2>/dev/null || true)"
python3 "$BENCH/report.py" "$RESULTS" "${CHECK[@]}" >"$OUT"
[[ -n "$SOAK_SECTION" ]] && printf '\n%s\n' "$SOAK_SECTION" >>"$OUT"
log "wrote $OUT"
if [[ $QUICK == 1 ]]; then
  log "soak, 2 minutes (its numbers are checked, not the 10 % criterion)"
  kill "$GW_PID" 2>/dev/null || true # its own gateway and mock
  "$BENCH/soak.sh" --quick --out "$OUT"
fi
