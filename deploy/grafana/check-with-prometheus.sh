#!/usr/bin/env bash
# Feeds the dashboard's queries to a real Prometheus scraping a running gateway (not part of
# scripts/test.sh; DashboardMetricsTest checks the metric names in CI). Needs the built jar
# (./mvnw -B -ntp package -DskipTests) and Prometheus (Debian: apt-get install prometheus).
# Starts the gateway and Prometheus on loopback ports, sends mixed traffic for TRAFFIC_SECONDS,
# then runs every panel query (with $provider = .*, $__rate_interval = 1m, $__range = 5m)
# through Prometheus' HTTP API and prints how many series each returned. Fails if any query is
# rejected or if a panel meant to show traffic returns nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$ROOT/server/target/provider-gateway.jar"
TRAFFIC_SECONDS="${TRAFFIC_SECONDS:-60}"
GRPC_PORT="${GRPC_PORT:-50161}" METRICS_PORT="${METRICS_PORT:-9564}" PROM_PORT="${PROM_PORT:-9190}"
WORK="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

[[ -f "$JAR" ]] || { echo "no $JAR: ./mvnw -B -ntp package -DskipTests" >&2; exit 1; }
command -v prometheus >/dev/null || { echo "no prometheus: apt-get install prometheus" >&2; exit 1; }

cat >"$WORK/gateway.yaml" <<YAML
server: {host: 127.0.0.1, port: $GRPC_PORT}
metrics: {enabled: true, host: 127.0.0.1, port: $METRICS_PORT}
logging: {access_log: false}
resilience: {max_retries: 1, retry_base_delay: 50ms, retry_max_delay: 100ms}
providers:
  - {name: mirror, type: echo, default_model: echo-1}
routes:
  fast: {targets: [{provider: mirror, model: echo-1}, {provider: echo}]}
YAML
cat >"$WORK/prometheus.yml" <<YAML
global: {scrape_interval: 2s, evaluation_interval: 2s}
scrape_configs:
  - job_name: provider-gateway
    static_configs: [{targets: ["127.0.0.1:$METRICS_PORT"]}]
YAML

PROVIDER_GATEWAY_CONFIG="$WORK/gateway.yaml" java -jar "$JAR" >"$WORK/gateway.log" 2>&1 &
pids+=($!)
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
pids+=($!)
for _ in $(seq 120); do
  curl -fs "127.0.0.1:$METRICS_PORT/metrics" >/dev/null && curl -fs "127.0.0.1:$PROM_PORT/-/ready" >/dev/null && break
  sleep 0.5
done
curl -fs "127.0.0.1:$METRICS_PORT/metrics" >/dev/null || { cat "$WORK/gateway.log" >&2; exit 1; }

echo "==> traffic for ${TRAFFIC_SECONDS}s"
java -cp "$JAR" "$ROOT/deploy/grafana/Traffic.java" "127.0.0.1:$GRPC_PORT" "$TRAFFIC_SECONDS"
sleep 6   # two more scrapes

python3 - "$ROOT/deploy/grafana/provider-gateway.json" "http://127.0.0.1:$PROM_PORT" <<'PY'
import json, sys, urllib.parse, urllib.request
dashboard, prom = json.load(open(sys.argv[1])), sys.argv[2]
# Panels whose series only exist after a failure path the traffic may not reach stay allowed empty.
may_be_empty = {"Circuit breakers not closed"}
failed = 0
def panels(ps):
    for p in ps:
        yield p
        yield from panels(p.get("panels", []))
for p in panels(dashboard["panels"]):
    for t in p.get("targets", []):
        expr = (t["expr"].replace("$provider", ".*").replace("$__rate_interval", "1m")
                .replace("$__range", "5m"))
        url = prom + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        body = json.load(urllib.request.urlopen(url))
        n = len(body["data"]["result"]) if body["status"] == "success" else -1
        ok = n > 0 or (n == 0 and p["title"] in may_be_empty)
        failed += not ok
        print(f"{'ok ' if ok else 'BAD'} {n:3d} series  {p['title']} [{t['refId']}]")
print(f"{'all queries answered' if not failed else str(failed) + ' queries failed or were empty'}")
sys.exit(1 if failed else 0)
PY
