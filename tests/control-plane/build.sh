#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd from the Go module proxy, once, into a cache outside the
# repository, and prints the directory holding the three binaries. Idempotent: a second call only
# prints the directory. Concurrent calls are serialised with flock.
#
#   K8S_VERSION=v1.37.2  ETCD_VERSION=v3.7.0  (the pair k8s.io/kubernetes v1.37.2 requires)
#   LBG_CACHE_DIR=${XDG_CACHE_HOME:-~/.cache}/longhorn-backup-guard
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.37.2}"
ETCD_VERSION="${ETCD_VERSION:-v3.7.0}"
CACHE="${LBG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/longhorn-backup-guard}"
BIN="$CACHE/bin/k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}"

log() { echo "[control-plane build] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

have_all() { [[ -x "$BIN/kube-apiserver" && -x "$BIN/kubectl" && -x "$BIN/etcd" ]]; }
if have_all; then echo "$BIN"; exit 0; fi

command -v go >/dev/null || die "Go >= 1.24 is needed to build the local control plane (none on PATH)"
mkdir -p "$BIN" "$CACHE/src"
exec 9>"$CACHE/build.lock"
flock 9
if have_all; then echo "$BIN"; exit 0; fi

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
minor="$(echo "${K8S_VERSION#v}" | cut -d. -f2)"
patch="$(echo "${K8S_VERSION#v}" | cut -d. -f3)"
staging_version="v0.${minor}.${patch}"

if [[ ! -x "$BIN/kube-apiserver" || ! -x "$BIN/kubectl" ]]; then
  src="$CACHE/src/kubernetes-${K8S_VERSION}"
  mkdir -p "$src"
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and resolves them with replace
  # directives that are ignored in a dependency, so the wrapper replaces every one of them. The list
  # is read from the tag's own go.mod so that a version bump needs no edit here.
  upstream_mod="$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  [[ -f "$upstream_mod" ]] || die "could not download k8s.io/kubernetes@${K8S_VERSION}"
  go_line="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$upstream_mod")"
  {
    printf 'module localbuild/kubernetes\n\ngo %s\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$go_line" "$K8S_VERSION"
    # The sample-* modules are never compiled and some proxies do not serve every one of them:
    # a module version the proxy lacks is left out rather than failing the build.
    grep '=> ./staging' "$upstream_mod" | awk '{print $1}' | while read -r m; do
      if go mod download "$m@$staging_version" 2>/dev/null; then
        printf '\t%s => %s %s\n' "$m" "$m" "$staging_version"
      else
        log "the proxy does not serve $m@$staging_version; leaving it unreplaced"
      fi
    done
    printf ')\n'
  } >"$src/go.mod"
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor} -X ${pkg}.gitTreeState=clean"
  done
  log "resolving modules for k8s.io/kubernetes ${K8S_VERSION} (the first time downloads about 1 GB)"
  (cd "$src" && go get "k8s.io/kubernetes/cmd/kube-apiserver@${K8S_VERSION}" "k8s.io/kubernetes/cmd/kubectl@${K8S_VERSION}" >&2)
  log "compiling kube-apiserver and kubectl (10-20 minutes on 2 cores the first time)"
  (cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$BIN/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver >&2)
  (cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$BIN/kubectl.tmp" k8s.io/kubernetes/cmd/kubectl >&2)
  mv "$BIN/kube-apiserver.tmp" "$BIN/kube-apiserver"
  mv "$BIN/kubectl.tmp" "$BIN/kubectl"
fi

if [[ ! -x "$BIN/etcd" ]]; then
  src="$CACHE/src/etcd-${ETCD_VERSION}"
  mkdir -p "$src"
  printf 'module localbuild/etcd\n\ngo 1.24.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$src/go.mod"
  log "building etcd ${ETCD_VERSION}"
  (cd "$src" && go get "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" >&2 && go build -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3 >&2)
  mv "$BIN/etcd.tmp" "$BIN/etcd"
fi

"$BIN/kube-apiserver" --version >&2
"$BIN/etcd" --version | head -1 >&2
echo "$BIN"
