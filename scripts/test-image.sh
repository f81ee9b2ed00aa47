#!/usr/bin/env bash
# Builds docker/Dockerfile with podman and runs the image for real (scripts/test.sh calls it after
# the Maven step, whose server/target/provider-gateway.jar it puts in the image).
#
# No Docker engine and no public image registry are reachable on the project's machines, so:
#   - podman, buildah, runc and debootstrap come from Debian's packages (installed when missing);
#   - the base image is made from Debian's packages (debootstrap minbase + a headless JRE 17) and
#     kept in podman's storage under a tag keyed by its recipe, so later runs reuse it;
#   - the Dockerfile is built as written, with BUILD_IMAGE/RUNTIME_IMAGE pointing at that base and
#     JAR_STAGE=prebuilt (the jar comes from the Maven step, not from a Maven run in the image).
# The image is then run read-only and checked: non-root, health SERVING, echo Chat with a key and
# refusal without one, /metrics, `podman healthcheck run`, and SIGTERM with a stream in flight
# (the stream ends normally, the container exits 0 within the grace period).
#
# Usage: scripts/test-image.sh   (as root; needs server/target/provider-gateway.jar and
#        client/python/.venv, both made by scripts/test.sh before it calls this)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$SECONDS

JAR="server/target/provider-gateway.jar"
PY="client/python/.venv/bin/python"
[[ -f "$JAR" ]] || { echo "test-image: $JAR is missing: run ./mvnw -B -ntp package first" >&2; exit 1; }
[[ -x "$PY" ]] || { echo "test-image: $PY is missing: scripts/test.sh makes it" >&2; exit 1; }

# ---- tools -----------------------------------------------------------------------------------
missing=()
for tool in podman buildah runc debootstrap; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "==> test-image: installing ${missing[*]} from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    podman buildah runc debootstrap fuse-overlayfs slirp4netns uidmap containernetworking-plugins \
    >/dev/null
fi
# The sandbox refuses raising RLIMIT_NPROC to podman's default (EPERM from runc): pass limits
# the machine grants.
RUN_FLAGS=(--runtime runc --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)

# ---- base image from Debian's packages (cached in podman's storage) --------------------------
SUITE="bookworm"
MIRROR="http://deb.debian.org/debian"
PACKAGES="openjdk-17-jre-headless"
RECIPE_VERSION=1   # bump when the recipe below changes in a way the key does not see
key="$(printf '%s\n' "$SUITE" "$MIRROR" "$PACKAGES" "$RECIPE_VERSION" | sha256sum | cut -c1-16)"
BASE="localhost/provider-gateway-test-base:$key"
if podman image exists "$BASE"; then
  echo "==> test-image: base image $BASE (cached)"
else
  echo "==> test-image: building base image $BASE (debootstrap $SUITE minbase + $PACKAGES)"
  rootfs="$(mktemp -d /var/tmp/provider-gateway-rootfs.XXXXXX)"
  trap 'rm -rf "$rootfs"' EXIT
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$rootfs" "$MIRROR" \
    >"$rootfs.log" 2>&1 || { tail -20 "$rootfs.log" >&2; exit 1; }
  rm -f "$rootfs.log"
  rm -rf "$rootfs"/usr/share/{doc,man,locale} "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -c . | podman import --change 'ENV LANG=C.UTF-8' - "$BASE" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
fi
echo "==> test-image: base ready after $((SECONDS - started))s"

# ---- build from a clean checkout -------------------------------------------------------------
# The context is the repository's tracked files only (no build output, no venvs, no local
# files), plus the jar the Maven step built.
work="$(mktemp -d /var/tmp/provider-gateway-image.XXXXXX)"
name="provider-gateway-image-test-$$"
IMAGE="localhost/provider-gateway:test-$$"
cleanup() {
  podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
  podman rmi -f "$IMAGE" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/ctx"
git ls-files -z | tar --null -T - -c | tar -x -C "$work/ctx"
mkdir -p "$work/ctx/server/target"
cp "$JAR" "$work/ctx/server/target/"
podman build --isolation chroot --pull=never --format docker \
  --build-arg "BUILD_IMAGE=$BASE" --build-arg "RUNTIME_IMAGE=$BASE" --build-arg JAR_STAGE=prebuilt \
  -f "$work/ctx/docker/Dockerfile" -t "$IMAGE" "$work/ctx" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; echo "test-image: podman build failed" >&2; exit 1; }
echo "==> test-image: image built after $((SECONDS - started))s"

# ---- run it ----------------------------------------------------------------------------------
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
grpc_port="$(free_port)"
metrics_port="$(free_port)"
api_key="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
api_key_sha256="$(printf %s "$api_key" | sha256sum | cut -d' ' -f1)"
GRACE=25   # compose's stop_grace_period; docker/config/gateway.yaml's shutdown_grace is 20s
podman run -d --name "$name" "${RUN_FLAGS[@]}" --read-only \
  -p "127.0.0.1:$grpc_port:50051" -p "127.0.0.1:$metrics_port:9464" \
  -e "GATEWAY_API_KEY_SHA256=$api_key_sha256" "$IMAGE" >"$work/run.log" 2>&1 \
  || { cat "$work/run.log" >&2; echo "test-image: podman run failed" >&2; exit 1; }
# (Without systemd, podman says it cannot schedule the HEALTHCHECK timer; `podman healthcheck
# run` below runs the check itself.)
fail() {
  echo "test-image: $*" >&2
  podman logs "$name" 2>&1 | tail -40 >&2
  exit 1
}

user="$(podman exec "$name" id -u)" || fail "podman exec failed"
[[ "$user" == "10001" ]] || fail "runs as uid $user, not 10001"
[[ "$(podman inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$name")" == "true" ]] || fail "root file system is writable"
if podman exec "$name" sh -c 'touch /app/probe' 2>/dev/null; then fail "could write /app"; fi
echo "==> test-image: runs as uid 10001 on a read-only root file system"

"$PY" scripts/image_probe.py health "127.0.0.1:$grpc_port" 60 || fail "health"
"$PY" scripts/image_probe.py chat "127.0.0.1:$grpc_port" "$api_key" || fail "chat"
metrics="$("$PY" -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
  "http://127.0.0.1:$metrics_port/metrics")" || fail "GET /metrics failed"
grep -q '^gateway_requests_total{' <<<"$metrics" || fail "/metrics has no gateway_requests_total"
echo "==> test-image: /metrics serves gateway_requests_total"
podman healthcheck run "$name" || fail "HEALTHCHECK did not report healthy"
echo "==> test-image: HEALTHCHECK reports healthy"

# SIGTERM with a stream in flight: the stream ends normally and the container exits 0 in time.
ready="$work/stream-started"
"$PY" scripts/image_probe.py stream "127.0.0.1:$grpc_port" "$api_key" "$ready" &
stream_pid=$!
for _ in $(seq 100); do [[ -e "$ready" ]] && break; sleep 0.1; done
[[ -e "$ready" ]] || fail "the stream never started"
stop_started=$SECONDS
podman stop -t "$GRACE" "$name" >"$work/stop.log" 2>&1 || { cat "$work/stop.log" >&2; fail "podman stop failed"; }
stop_took=$((SECONDS - stop_started))
wait "$stream_pid" || fail "the in-flight stream did not end normally"
# The JVM ends a SIGTERM-initiated shutdown (shutdown hooks done) with 143 = 128 + SIGTERM;
# 137 would be the SIGKILL at the end of the grace period.
exit_code="$(podman inspect -f '{{.State.ExitCode}}' "$name")"
[[ "$exit_code" == "143" || "$exit_code" == "0" ]] || fail "exit code $exit_code after SIGTERM (not a clean stop)"
((stop_took < GRACE)) || fail "stop took ${stop_took}s, not within the ${GRACE}s grace period"
podman logs "$name" 2>&1 | grep -q '"message":"access".*"method":"Stream".*"status":"OK"' \
  || fail "the drained stream's access line is not in the container's log"
echo "==> test-image: SIGTERM with a stream in flight: stream finished, exit $exit_code after ${stop_took}s"

echo "==> test-image: all checks passed in $((SECONDS - started))s"
