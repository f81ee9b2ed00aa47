#!/usr/bin/env bash
# Validates deploy/k8s/ offline: kubernetes-validate --strict against the Kubernetes 1.30 schemas
# it ships (PyPI, into the git-ignored tools/.venv-kube), then kube-score (the Go module proxy,
# `go install` into the git-ignored tools/go/bin). Any kube-score WARNING or CRITICAL fails;
# deliberate exceptions are `kube-score/ignore` annotations, each explained beside it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

KUBERNETES_VALIDATE_VERSION="1.37.0"
KUBE_SCORE_VERSION="v1.20.0"
K8S_VERSION="1.30.0"   # the oldest supported (deployment.yaml's preStop.sleep)
VENV="$ROOT/tools/.venv-kube"
GOBIN_DIR="$ROOT/tools/go/bin"
MANIFESTS=(deploy/k8s/configmap.yaml deploy/k8s/deployment.yaml deploy/k8s/service.yaml
  deploy/k8s/pdb.yaml deploy/k8s/hpa.yaml deploy/k8s/networkpolicy.yaml)

# Every file kustomization.yaml lists is checked, and nothing else.
listed="$(sed -n 's/^  - \(.*\.yaml\)$/deploy\/k8s\/\1/p' deploy/k8s/kustomization.yaml | sort)"
[[ "$listed" == "$(printf '%s\n' "${MANIFESTS[@]}" | sort)" ]] \
  || { echo "lint-k8s: MANIFESTS differs from kustomization.yaml's resources" >&2; exit 1; }

if ! "$VENV/bin/kubernetes-validate" --version 2>/dev/null | grep -qx "$KUBERNETES_VALIDATE_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
fi
"$VENV/bin/kubernetes-validate" --strict -k "$K8S_VERSION" "${MANIFESTS[@]}"

# `go install` builds report no version ("development"): a stamp file names the one installed.
if [[ ! -x "$GOBIN_DIR/kube-score" || "$(cat "$GOBIN_DIR/kube-score.version" 2>/dev/null)" != "$KUBE_SCORE_VERSION" ]]; then
  GOBIN="$GOBIN_DIR" go install "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION"
  echo "$KUBE_SCORE_VERSION" >"$GOBIN_DIR/kube-score.version"
fi
report="$("$GOBIN_DIR/kube-score" score --output-format ci "${MANIFESTS[@]}" || true)"
if grep -E '^\[(CRITICAL|WARNING)\]' <<<"$report"; then
  echo "lint-k8s: kube-score findings above (fix them, or ignore one with a reason)" >&2
  exit 1
fi
echo "==> lint-k8s: deploy/k8s passes kubernetes-validate --strict ($K8S_VERSION) and kube-score"
