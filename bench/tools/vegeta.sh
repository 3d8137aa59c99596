#!/usr/bin/env bash
# Builds vegeta (an open-loop HTTP load generator: requests leave at a fixed rate whatever the
# server's answer time, so the latency it reports is not hidden by coordinated omission) from the
# Go module proxy, once, into a cache outside the repository, and prints the binary's path.
# Idempotent: a second call only prints the path. Concurrent calls are serialised with flock.
#
#   VEGETA_VERSION=v12.13.0
#   LBG_CACHE_DIR=${XDG_CACHE_HOME:-~/.cache}/longhorn-backup-guard
set -euo pipefail

VEGETA_VERSION="${VEGETA_VERSION:-v12.13.0}"
CACHE="${LBG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/longhorn-backup-guard}"
BIN="$CACHE/tools/vegeta-${VEGETA_VERSION}"

log() { echo "[vegeta build] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [[ -x "$BIN/vegeta" ]]; then echo "$BIN/vegeta"; exit 0; fi
command -v go >/dev/null || die "Go >= 1.22 is needed to build vegeta (none on PATH)"
mkdir -p "$BIN" "$CACHE/src"
exec 9>"$CACHE/vegeta-build.lock"
flock 9
if [[ -x "$BIN/vegeta" ]]; then echo "$BIN/vegeta"; exit 0; fi

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
src="$CACHE/src/vegeta-${VEGETA_VERSION}"
mkdir -p "$src"
# A wrapper module: vegeta's main package is its module root, built as a dependency.
printf 'module localbuild/vegeta\n\ngo 1.22\n\nrequire github.com/tsenart/vegeta/v12 %s\n' "$VEGETA_VERSION" >"$src/go.mod"
log "building github.com/tsenart/vegeta/v12@${VEGETA_VERSION}"
(cd "$src" && go get "github.com/tsenart/vegeta/v12@${VEGETA_VERSION}" >&2 &&
  go build -trimpath -ldflags "-s -w" -o "$BIN/vegeta.tmp" github.com/tsenart/vegeta/v12 >&2)
mv "$BIN/vegeta.tmp" "$BIN/vegeta"
"$BIN/vegeta" -version >&2 || true
echo "$BIN/vegeta"
