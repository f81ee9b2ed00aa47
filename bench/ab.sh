#!/usr/bin/env bash
# A/B of gateway builds in one sitting, for changes smaller than the run-to-run spread of a single
# gateway process (its JIT compiles the hot path differently from one start to the next: the same
# jar measured 27 and 43 µs per echo call on two starts). For each round and each jar: a fresh
# gateway on the bench's mock, a JIT warm-up (unary, then echo), then the bare health call, echo
# and OpenAI-compatible unary at concurrency $PC, each with the gateway's CPU per request.
#
#   bench/ab.sh OLD.jar NEW.jar [MORE.jar ...]
#
# Environment: ROUNDS (default "1 2 3"), PC (64), D (measured seconds per load, 8s), WU (warm-up
# per load, 15s). Uses the Go tools bench/run.sh builds (bench/.work/bin); loopback only.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/bench/.work"
W="$WORK/ab"
mkdir -p "$W" "$WORK/bin"
[[ $# -ge 1 ]] || { sed -n '2,11p' "$0"; exit 2; }
[[ -x "$WORK/bin/mock" ]] || (cd "$ROOT/bench/mock" && go build -o "$WORK/bin/mock" .)
[[ -x "$WORK/bin/loadgen" ]] || (cd "$ROOT/bench/loadgen" && go build -o "$WORK/bin/loadgen" .)
LG="$WORK/bin/loadgen"
rm -f "$W/mock.addr"
"$WORK/bin/mock" -addr-file "$W/mock.addr" >"$W/mock.log" 2>&1 &
MP=$!
GP=""
trap 'kill $MP $GP 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -s "$W/mock.addr" ]] && break; sleep 0.05; done
printf 'providers:\n  - {name: mock, type: openai, base_url: "http://%s/v1", api_key: "bench"}\nresilience: {max_concurrent_calls: 20000, max_concurrent_per_provider: 20000}\n' \
  "$(cat "$W/mock.addr")" >"$W/gateway.yaml"
show() {
  python3 -c 'import json,sys; d=json.load(sys.stdin); print("%-34s %8d req/s  p99 %6.2f ms  gateway CPU %6.1f us/req" % (sys.argv[1], round(d.get("requests",0)/d["duration_s"]), d["percentiles"]["p99"], d["gateway"]["cpu_us_per_req"]))' "$1"
}
for round in ${ROUNDS:-1 2 3}; do
  for jar in "$@"; do
    PROVIDER_GATEWAY_HTTP_PORT=0 java ${GATEWAY_JAVA_OPTS:-} -jar "$jar" --config "$W/gateway.yaml" --port 0 >"$W/gateway.log" 2>&1 &
    GP=$!
    for _ in $(seq 300); do grep -q 'listening on' "$W/gateway.log" && break; sleep 0.05; done
    T="127.0.0.1:$(grep -o 'listening on [^ ]*' "$W/gateway.log" | sed 's/.*://')"
    "$LG" -mode grpc-chat -target "$T" -provider mock -model bench-t16 -concurrency 32 -duration "${WU:-15s}" -warmup 0s >/dev/null
    "$LG" -mode grpc-chat -target "$T" -provider echo -concurrency 32 -duration "${WU:-15s}" -warmup 0s >/dev/null
    n="round $round $(basename "$jar")"
    "$LG" -mode grpc-health -target "$T" -concurrency "${PC:-64}" -duration "${D:-8s}" -warmup 2s -pids "gateway=$GP" | show "$n health"
    "$LG" -mode grpc-chat -target "$T" -provider echo -concurrency "${PC:-64}" -duration "${D:-8s}" -warmup 2s -pids "gateway=$GP" | show "$n echo"
    "$LG" -mode grpc-chat -target "$T" -provider mock -model bench-t16 -concurrency "${PC:-64}" -duration "${D:-8s}" -warmup 2s -pids "gateway=$GP" | show "$n openai"
    kill "$GP"
    wait "$GP" 2>/dev/null || true
    GP=""
  done
done
