#!/usr/bin/env bash
# Validates deploy/k8s/ offline: kubernetes-validate --strict against the Kubernetes 1.30 schemas
# it ships (PyPI, into the git-ignored tools/.venv-kube), then kube-score (the Go module proxy,
# `go install` into the git-ignored tools/go/bin). Any kube-score WARNING or CRITICAL fails;
# deliberate exceptions are `kube-score/ignore` annotations, each explained beside it.
# Then the Helm chart deploy/helm/provider-gateway: helm (`go install`, cached in tools/go/bin)
# lints it, renders it, the rendered objects go through the same two checks, and with its
# defaults they must equal deploy/k8s/'s objects but for Helm's own labels.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

KUBERNETES_VALIDATE_VERSION="1.37.0"
KUBE_SCORE_VERSION="v1.20.0"
HELM_VERSION="v4.3.2"
CHART=deploy/helm/provider-gateway
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
kube_score() {
  local report
  report="$("$GOBIN_DIR/kube-score" score --output-format ci "$@" || true)"
  if grep -E '^\[(CRITICAL|WARNING)\]' <<<"$report"; then
    echo "lint-k8s: kube-score findings above (fix them, or ignore one with a reason)" >&2
    exit 1
  fi
}
kube_score "${MANIFESTS[@]}"
echo "==> lint-k8s: deploy/k8s passes kubernetes-validate --strict ($K8S_VERSION) and kube-score"

if [[ ! -x "$GOBIN_DIR/helm" || "$(cat "$GOBIN_DIR/helm.version" 2>/dev/null)" != "$HELM_VERSION" ]]; then
  GOBIN="$GOBIN_DIR" go install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
  echo "$HELM_VERSION" >"$GOBIN_DIR/helm.version"
fi
RENDERED="$(mktemp -d)"
trap 'rm -rf "$RENDERED"' EXIT
"$GOBIN_DIR/helm" lint --strict --kube-version "$K8S_VERSION" "$CHART"
# Named as the chart, so the objects' names are those of deploy/k8s.
"$GOBIN_DIR/helm" template provider-gateway "$CHART" --kube-version "$K8S_VERSION" \
  --output-dir "$RENDERED" >/dev/null
mapfile -t RENDERED_FILES < <(find "$RENDERED" -name '*.yaml' | sort)
"$VENV/bin/kubernetes-validate" --strict -k "$K8S_VERSION" "${RENDERED_FILES[@]}"
kube_score "${RENDERED_FILES[@]}"
"$VENV/bin/python" - "${RENDERED_FILES[@]}" -- "${MANIFESTS[@]}" <<'PY'
import sys, yaml
HELM_LABELS = {"app.kubernetes.io/instance", "app.kubernetes.io/version",
               "app.kubernetes.io/managed-by", "helm.sh/chart"}
def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in HELM_LABELS}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node
def objects(files):
    out = {}
    for f in files:
        for doc in yaml.safe_load_all(open(f)):
            if doc:
                out[(doc["kind"], doc["metadata"]["name"])] = strip(doc)
    return out
split = sys.argv.index("--")
chart, plain = objects(sys.argv[1:split]), objects(sys.argv[split + 1:])
if chart.keys() != plain.keys():
    sys.exit(f"lint-k8s: the chart renders {sorted(chart)}, deploy/k8s has {sorted(plain)}")
for key in sorted(plain):
    if chart[key] != plain[key]:
        import difflib
        a = yaml.safe_dump(plain[key], sort_keys=True).splitlines()
        b = yaml.safe_dump(chart[key], sort_keys=True).splitlines()
        print("\n".join(difflib.unified_diff(a, b, "deploy/k8s", "chart", lineterm="")))
        sys.exit(f"lint-k8s: the chart's {key[0]} {key[1]} differs from deploy/k8s (above)")
print(f"the chart's {len(chart)} objects equal deploy/k8s's but for Helm's labels")
PY
echo "==> lint-k8s: $CHART passes helm lint, kubernetes-validate --strict ($K8S_VERSION) and kube-score"
