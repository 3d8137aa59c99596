#!/usr/bin/env bash
# Builds kubelet, kube-controller-manager and kube-scheduler (the node suite's single-node cluster)
# from the Go module proxy, once per Kubernetes version, into the same cache as the control plane
# (tests/control-plane/build.sh), and prints the directory holding them. Idempotent: a second call
# only prints the directory. Shares the control plane's lock (one Go build at a time on the machine)
# and reports its phase and elapsed time every 30 s.
#
#   K8S_VERSION=v1.37.2  the Kubernetes release (the node suite runs in the default cell only)
#   LBG_CACHE_DIR=${XDG_CACHE_HOME:-~/.cache}/longhorn-backup-guard
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.37.2}"
CACHE="${LBG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/longhorn-backup-guard}"
BIN="$CACHE/bin/node-${K8S_VERSION}"
COMPONENTS=(kubelet kube-controller-manager kube-scheduler)
# Measured on 2 cores once the apiserver's Go build cache exists (README, "Tests", timing table).
EXPECTED_TOTAL="5 minutes per binary on 2 cores, 15 under load"

LOG_PREFIX="node build"
# shellcheck source=../control-plane/build-lib.sh
source "$(dirname "$0")/../control-plane/build-lib.sh"

have_all() { for c in "${COMPONENTS[@]}"; do [[ -x "$BIN/$c" ]] || return 1; done; }
if have_all; then echo "$BIN"; exit 0; fi

command -v go >/dev/null || die "Go >= 1.24 is needed to build the node's kubelet (none on PATH)"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
mkdir -p "$BIN" "$CACHE/src"

exec 9>"$CACHE/build.lock"
if ! flock -n 9; then
  phase "waiting for another build to finish (lock $CACHE/build.lock)"
  flock 9
  stop_ticker
fi
if have_all; then echo "$BIN"; exit 0; fi
started="$(date +%s)"
log "building ${COMPONENTS[*]} ${K8S_VERSION} into $BIN: ${EXPECTED_TOTAL} the first time"

# The control plane's wrapper module, in a directory of its own so that the two builds never edit
# one go.mod.
minor="$(echo "${K8S_VERSION#v}" | cut -d. -f2)"
src="$CACHE/src/kubernetes-node-${K8S_VERSION}"
mkdir -p "$src"
if [[ ! -f "$src/go.mod" ]]; then
  phase "resolving modules for k8s.io/kubernetes ${K8S_VERSION}"
  upstream_mod="$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  [[ -f "$upstream_mod" ]] || die "could not download k8s.io/kubernetes@${K8S_VERSION}"
  kubernetes_wrapper_module localbuild/kubernetes-node "$upstream_mod" >"$src/go.mod.tmp"
  mv "$src/go.mod.tmp" "$src/go.mod"
fi
# go get records the go.sum entries each command needs (cmd/kubelet needs more than the apiserver).
(cd "$src" && go get $(for c in "${COMPONENTS[@]}"; do printf 'k8s.io/kubernetes/cmd/%s@%s ' "$c" "$K8S_VERSION"; done) >&2)
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor} -X ${pkg}.gitTreeState=clean"
done
for c in "${COMPONENTS[@]}"; do
  [[ -x "$BIN/$c" ]] && continue
  phase "compiling $c ${K8S_VERSION}"
  (cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$BIN/$c.tmp" "k8s.io/kubernetes/cmd/$c" >&2)
  mv "$BIN/$c.tmp" "$BIN/$c"
  log "$c compiled at $(elapsed)"
done
stop_ticker
log "built in $(elapsed)"
echo "$BIN"
