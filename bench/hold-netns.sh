#!/usr/bin/env bash
# One scenario-4 hold run of many streams (bench/run.sh runs 50,000 in full runs), in a private
# network namespace so that the kernel limits it needs are raised for it alone and never for the
# machine: loopback only, the ephemeral port range widened to 1024-65535 (one upstream connection
# per held stream, all to one mock address: the default range holds about 28,000), and the
# open-file limit raised to what the streams need in the gateway and the mock.
#
#   bench/hold-netns.sh GATEWAY_JAR LOADGEN MOCK STREAMS HOLD OUT_JSONL [JAVA_OPTS...]
#
# Appends one JSON line named s4.hold.STREAMS to OUT_JSONL: the loadgen's hold result (RSS before,
# all open and at the end of the hold, KB per stream), or {"skipped": reason} when the limits
# cannot be raised here (creating a network namespace needs root or CAP_SYS_ADMIN, raising the
# hard open-file limit needs CAP_SYS_RESOURCE: in a container, start it with
# `--ulimit nofile=65536:65536`).
set -euo pipefail
JAR="$1" LG="$2" MOCK_BIN="$3" N="$4" HOLD="$5" OUT="$6"
shift 6
name="s4.hold.$N"
skip() { # reason
  python3 -c 'import json,sys; print(json.dumps({"name":sys.argv[1],"streams":int(sys.argv[2]),"skipped":sys.argv[3]}))' \
    "$name" "$N" "$1" | tee -a "$OUT" >&2
  exit 0
}
FDS=$((N + 4096)) # one upstream socket per stream, plus the JVM's own files and the gRPC connections
if [[ "${HOLD_NETNS_INSIDE:-}" != 1 ]]; then
  if ! (ulimit -n "$FDS") 2>/dev/null; then
    skip "the open-file limit cannot be raised to $FDS here (hard limit $(ulimit -Hn)); $N streams need one socket each in the gateway and in the mock"
  fi
  if ! unshare -n true 2>/dev/null; then
    skip "no private network namespace here (unshare -n needs root or CAP_SYS_ADMIN) to widen the ephemeral port range for $N upstream connections"
  fi
  HOLD_NETNS_INSIDE=1 exec unshare -n "$0" "$JAR" "$LG" "$MOCK_BIN" "$N" "$HOLD" "$OUT" "$@"
fi

# Inside the namespace: its own loopback, port range and processes.
ip link set lo up
echo "1024 65535" >/proc/sys/net/ipv4/ip_local_port_range
ulimit -n "$FDS"
WORK="$(mktemp -d)"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$MOCK_BIN" -addr-file "$WORK/mock.addr" >"$WORK/mock.log" 2>&1 &
MOCK_PID=$!
PIDS+=("$MOCK_PID")
for _ in $(seq 100); do [[ -s "$WORK/mock.addr" ]] && break; sleep 0.05; done
cat >"$WORK/gateway.yaml" <<YAML
providers:
  - {name: mock, type: openai, base_url: "http://$(cat "$WORK/mock.addr")/v1", api_key: "bench"}
resilience: {max_concurrent_calls: $((N + 1000)), max_concurrent_per_provider: $((N + 1000))}
YAML
PROVIDER_GATEWAY_HTTP_PORT=0 java "$@" -jar "$JAR" --config "$WORK/gateway.yaml" --port 0 >"$WORK/gateway.log" 2>&1 &
GW_PID=$!
PIDS+=("$GW_PID")
for _ in $(seq 600); do grep -q 'listening on' "$WORK/gateway.log" && break; sleep 0.05; done
GW="127.0.0.1:$(grep -o 'listening on [^ ]*' "$WORK/gateway.log" | sed 's/.*://')"
"$LG" -name "$name" -mode hold -target "$GW" -provider mock -model bench-t1000000-i2000 -streams "$N" \
  -rate 2000 -hold "$HOLD" -pids "gateway=$GW_PID,mock=$MOCK_PID" | tee -a "$OUT" >&2
