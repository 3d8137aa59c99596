#!/usr/bin/env bash
# Builds the client-go yardstick (client-go-yardstick/, a small Go program on client-go) from the
# Go module proxy, once per version of its source, into a cache outside the repository, and prints
# the binary's path. Never committed as a binary. Idempotent; concurrent calls are serialised.
#
#   LBG_CACHE_DIR=${XDG_CACHE_HOME:-~/.cache}/longhorn-backup-guard
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$HERE/client-go-yardstick"
CACHE="${LBG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/longhorn-backup-guard}"
VERSION="$(cat "$SRC/main.go" "$SRC/go.mod" "$SRC/go.sum" | sha256sum | cut -c1-12)"
BIN="$CACHE/tools/client-go-yardstick-${VERSION}"

log() { echo "[client-go yardstick build] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [[ -x "$BIN/client-go-yardstick" ]]; then echo "$BIN/client-go-yardstick"; exit 0; fi
command -v go >/dev/null || die "Go >= 1.26 is needed to build the client-go yardstick (none on PATH)"
mkdir -p "$BIN"
exec 9>"$CACHE/client-go-yardstick-build.lock"
flock 9
if [[ -x "$BIN/client-go-yardstick" ]]; then echo "$BIN/client-go-yardstick"; exit 0; fi

export GOTOOLCHAIN=local CGO_ENABLED=0
log "building client-go-yardstick ${VERSION} (k8s.io/client-go as go.mod pins it)"
(cd "$SRC" && GOFLAGS=-mod=readonly go build -trimpath -ldflags "-s -w" -o "$BIN/client-go-yardstick.tmp" . >&2)
mv "$BIN/client-go-yardstick.tmp" "$BIN/client-go-yardstick"
echo "$BIN/client-go-yardstick"
