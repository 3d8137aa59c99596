#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd from the Go module proxy, once per version, into a cache
# outside the repository, and prints the directory holding the three binaries. Idempotent: a
# second call only prints the directory. Concurrent calls are serialised with flock (one build at
# a time on the machine); while a build runs it reports its phase and elapsed time every 30 s.
#
#   K8S_VERSION=v1.37.2  the Kubernetes release (the matrix also tests v1.35.4)
#   ETCD_VERSION         default: the etcd release upstream tests that Kubernetes release with
#                        (ETCD_VERSION in the tag's hack/lib/etcd.sh: v3.7.0 for v1.37.2)
#   LBG_CACHE_DIR=${XDG_CACHE_HOME:-~/.cache}/longhorn-backup-guard
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.37.2}"
CACHE="${LBG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/longhorn-backup-guard}"
# What a first build costs on 2 cores, said while it runs (README, "Supported versions", has the
# measured figures).
EXPECTED_TOTAL="15-30 minutes on 2 cores"

LOG_PREFIX="control-plane build"
# shellcheck source=build-lib.sh
source "$(dirname "$0")/build-lib.sh"

have_all() { [[ -x "$1/kube-apiserver" && -x "$1/kubectl" && -x "$1/etcd" ]]; }

# The etcd release chosen for a Kubernetes release is remembered beside the binaries, so that the
# fast path needs no network.
etcd_choice="$CACHE/bin/k8s-${K8S_VERSION}.etcd-version"
etcd_chosen_here=""
if [[ -z "${ETCD_VERSION:-}" && -f "$etcd_choice" ]]; then ETCD_VERSION="$(cat "$etcd_choice")"; fi
if [[ -n "${ETCD_VERSION:-}" ]] && have_all "$CACHE/bin/k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}"; then
  echo "$CACHE/bin/k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}"
  exit 0
fi

command -v go >/dev/null || die "Go >= 1.24 is needed to build the local control plane (none on PATH)"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
mkdir -p "$CACHE/bin" "$CACHE/src"

kubernetes_module() { # <field>: Dir or GoMod of k8s.io/kubernetes@K8S_VERSION, downloaded once
  go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" | sed -n "s/.*\"$1\": \"\(.*\)\".*/\1/p"
}

if [[ -z "${ETCD_VERSION:-}" ]]; then
  phase "downloading k8s.io/kubernetes ${K8S_VERSION} to read which etcd upstream tests it with" "about 1 minute"
  upstream_dir="$(kubernetes_module Dir)"
  [[ -d "$upstream_dir" ]] || die "could not download k8s.io/kubernetes@${K8S_VERSION} (is it a release on the Go module proxy?)"
  tested="$(sed -n 's/^ETCD_VERSION=\${ETCD_VERSION:-\([0-9][0-9.]*\)}$/\1/p' "$upstream_dir/hack/lib/etcd.sh")"
  [[ -n "$tested" ]] || die "no ETCD_VERSION in k8s.io/kubernetes@${K8S_VERSION}'s hack/lib/etcd.sh; set ETCD_VERSION"
  ETCD_VERSION="v${tested}"
  etcd_chosen_here=yes
  required="$(sed -n 's/^[[:space:]]*go\.etcd\.io\/etcd\/client\/v3 \(v[0-9.]*\).*/\1/p' "$(kubernetes_module GoMod)")"
  if [[ -n "$required" && "$required" != "$ETCD_VERSION" ]]; then
    log "note: Kubernetes ${K8S_VERSION} is tested with etcd ${ETCD_VERSION} but its go.mod requires the etcd client ${required}; building ${ETCD_VERSION}"
  fi
  stop_ticker
fi
BIN="$CACHE/bin/k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}"
remember_etcd_choice() { if [[ -n "$etcd_chosen_here" ]]; then printf '%s\n' "$ETCD_VERSION" >"$etcd_choice"; fi; }
# Built already (the etcd choice was not remembered yet): no need to queue behind another build.
if have_all "$BIN"; then remember_etcd_choice; echo "$BIN"; exit 0; fi
mkdir -p "$BIN"

exec 9>"$CACHE/build.lock"
if ! flock -n 9; then
  phase "waiting for another control-plane build to finish (lock $CACHE/build.lock)" "builds run one at a time"
  flock 9
  stop_ticker
fi
if have_all "$BIN"; then
  remember_etcd_choice
  echo "$BIN"
  exit 0
fi
started="$(date +%s)"
log "building Kubernetes ${K8S_VERSION} + etcd ${ETCD_VERSION} into $BIN: about ${EXPECTED_TOTAL} the first time"

minor="$(echo "${K8S_VERSION#v}" | cut -d. -f2)"

if [[ ! -x "$BIN/kube-apiserver" || ! -x "$BIN/kubectl" ]]; then
  src="$CACHE/src/kubernetes-${K8S_VERSION}"
  mkdir -p "$src"
  phase "resolving modules for k8s.io/kubernetes ${K8S_VERSION}" "the first time downloads about 1 GB"
  upstream_mod="$(kubernetes_module GoMod)"
  [[ -f "$upstream_mod" ]] || die "could not download k8s.io/kubernetes@${K8S_VERSION}"
  kubernetes_wrapper_module localbuild/kubernetes "$upstream_mod" >"$src/go.mod"
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor} -X ${pkg}.gitTreeState=clean"
  done
  (cd "$src" && go get "k8s.io/kubernetes/cmd/kube-apiserver@${K8S_VERSION}" "k8s.io/kubernetes/cmd/kubectl@${K8S_VERSION}" >&2)
  log "modules resolved at $(elapsed)"
  phase "compiling kube-apiserver ${K8S_VERSION}" "the longest step: most of the first build"
  (cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$BIN/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver >&2)
  log "kube-apiserver compiled at $(elapsed)"
  phase "compiling kubectl ${K8S_VERSION}" "shares most packages with kube-apiserver"
  (cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$BIN/kubectl.tmp" k8s.io/kubernetes/cmd/kubectl >&2)
  log "kubectl compiled at $(elapsed)"
  mv "$BIN/kube-apiserver.tmp" "$BIN/kube-apiserver"
  mv "$BIN/kubectl.tmp" "$BIN/kubectl"
fi

if [[ ! -x "$BIN/etcd" ]]; then
  src="$CACHE/src/etcd-${ETCD_VERSION}"
  mkdir -p "$src"
  printf 'module localbuild/etcd\n\ngo 1.24.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$src/go.mod"
  phase "building etcd ${ETCD_VERSION}" "a few minutes"
  (cd "$src" && go get "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" >&2 && go build -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3 >&2)
  mv "$BIN/etcd.tmp" "$BIN/etcd"
  log "etcd built at $(elapsed)"
fi
stop_ticker
remember_etcd_choice

log "built in $(elapsed)"
"$BIN/kube-apiserver" --version >&2
"$BIN/etcd" --version | head -1 >&2
echo "$BIN"
