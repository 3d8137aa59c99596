# Shared by the cached Kubernetes builds (tests/control-plane/build.sh, tests/node/build.sh):
# progress reporting and the wrapper module. Set LOG_PREFIX and EXPECTED_TOTAL, then source it.
log() { echo "[${LOG_PREFIX}] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

started="$(date +%s)"
elapsed() { local s=$(($(date +%s) - started)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# One background ticker at a time: says which phase is running and for how long. It closes the
# lock descriptor and stdout so that it can never hold the lock or a caller's $(...) open.
ticker=""
stop_ticker() {
  if [[ -n "$ticker" ]]; then kill "$ticker" 2>/dev/null || true; wait "$ticker" 2>/dev/null || true; fi
  ticker=""
}
phase() {
  stop_ticker
  log "$1${2:+ ($2)}"
  local what="$1"
  (
    trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    while :; do
      sleep 30 & nap=$!
      wait "$nap"
      log "still ${what}: $(elapsed) elapsed (a first build takes about ${EXPECTED_TOTAL})"
    done
  ) >/dev/null 9>&- &
  ticker=$!
}
trap stop_ticker EXIT

# Prints a go.mod named <module> that requires k8s.io/kubernetes@K8S_VERSION. k8s.io/kubernetes
# requires its staging modules at v0.0.0 and resolves them with replace directives that are
# ignored in a dependency, so the wrapper replaces every one of them with its published
# v0.<minor>.<patch>. The list is read from the tag's own go.mod (<upstream go.mod>) so that a
# version bump needs no edit here.
kubernetes_wrapper_module() { # <module> <upstream go.mod>
  local minor patch staging_version go_line m
  minor="$(echo "${K8S_VERSION#v}" | cut -d. -f2)"
  patch="$(echo "${K8S_VERSION#v}" | cut -d. -f3)"
  staging_version="v0.${minor}.${patch}"
  go_line="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$2")"
  printf 'module %s\n\ngo %s\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$1" "$go_line" "$K8S_VERSION"
  # The sample-* modules are never compiled and some proxies do not serve every one of them:
  # a module version the proxy lacks is left out rather than failing the build.
  grep '=> ./staging' "$2" | awk '{print $1}' | while read -r m; do
    if go mod download "$m@$staging_version" 2>/dev/null; then
      printf '\t%s => %s %s\n' "$m" "$m" "$staging_version"
    else
      log "the proxy does not serve $m@$staging_version; leaving it unreplaced"
    fi
  done
  printf ')\n'
}
