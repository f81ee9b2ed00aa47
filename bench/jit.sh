# Sourced by bench/run.sh and bench/profile.sh (which define LG, the load generator, and log).
jit_ticks() { # CPU time (1/CLK_TCK s) the JIT compiler threads of process $1 have used so far
  local t s=0
  for t in /proc/"$1"/task/*; do
    if [[ "$(cat "$t/comm" 2>/dev/null)" == C[12]\ CompilerThre* ]]; then
      s=$((s + $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)))
    fi
  done
  echo "$s"
}
# Warms the JIT of gateway process $1 (gRPC at $2) with the loads named after them, run together in
# windows of $WARMUP_JIT, until the compiler threads used under 5 % of a core in a window (at most
# $WARMUP_MAX windows). On 2 shared cores C2 took 30-40 s of load to settle, and while it compiles
# it is part of the gateway's CPU per request, which is meant to measure the gateway's steady state.
warm_jit() {
  local pid=$1 target=$2 hz secs i a b share kind loads
  shift 2
  hz="$(getconf CLK_TCK)"
  secs="${WARMUP_JIT%s}"
  for i in $(seq "$WARMUP_MAX"); do
    a="$(jit_ticks "$pid")"
    loads=()
    for kind in "$@"; do
      case "$kind" in
        chat) "$LG" -mode grpc-chat -target "$target" -provider mock -model bench-t16 -concurrency 32 -duration "$WARMUP_JIT" -warmup 0s >/dev/null & ;;
        chat10) "$LG" -mode grpc-chat -target "$target" -provider mock -model bench-t16 -concurrency 10 -duration "$WARMUP_JIT" -warmup 0s >/dev/null & ;;
        stream) "$LG" -mode grpc-stream -target "$target" -provider mock -model bench-t64 -concurrency 8 -duration "$WARMUP_JIT" -warmup 0s >/dev/null & ;;
        echo) "$LG" -mode grpc-chat -target "$target" -provider echo -concurrency 32 -duration "$WARMUP_JIT" -warmup 0s >/dev/null & ;;
      esac
      loads+=($!)
    done
    wait "${loads[@]}"
    b="$(jit_ticks "$pid")"
    share=$(((b - a) * 100 / (hz * secs)))
    log "JIT warm-up ($*) window $i of at most $WARMUP_MAX: the compiler threads used $share % of a core"
    if ((share < 5)); then
      return 0
    fi
  done
  log "the JIT had not settled after $WARMUP_MAX windows; measuring anyway"
}
