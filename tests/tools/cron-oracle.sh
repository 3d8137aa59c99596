#!/usr/bin/env bash
# Builds the cron oracle (tests/tools/cron-oracle: robfig/cron v3.0.1 from the Go module proxy,
# the library Longhorn parses RecurringJob crons with) once into the cache and prints its path.
# The cache entry is keyed by the source's hash, so an edit to the program rebuilds it.
#   cron-oracle.sh --find   prints the path only when built (exit 3 otherwise), builds nothing
set -euo pipefail
source "$(dirname "$0")/lib.sh"
src="$(cd "$(dirname "$0")/cron-oracle" && pwd)"
hash="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-12)"
BIN="$TOOLS/cron-oracle-$hash/cron-oracle"
if [[ "${1:-}" == --find ]]; then [[ -x "$BIN" ]] || exit 3; echo "$BIN"; exit 0; fi
if [[ ! -x "$BIN" ]]; then
  command -v go >/dev/null || die "Go is needed to build the cron oracle (robfig/cron v3.0.1 from the Go module proxy)"
  mkdir -p "$(dirname "$BIN")"
  exec 9>"$(dirname "$BIN")/build.lock"
  flock 9
  if [[ ! -x "$BIN" ]]; then
    log "building the cron oracle (github.com/robfig/cron/v3 v3.0.1)"
    (cd "$src" && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -o "$BIN.tmp" . >&2)
    mv "$BIN.tmp" "$BIN"
  fi
fi
echo "$BIN"
