#!/usr/bin/env bash
# Makes sure promtool (Prometheus' rule checker) is on PATH and prints its path. It comes from
# Debian's prometheus package (installing it as root does not start the server here: no init
# system runs it). Building it from the Go module proxy does not work: some of its dependencies'
# versions are not served there.
#   promtool.sh --find   prints the path only when installed (exit 3 otherwise), installs nothing
set -euo pipefail
source "$(dirname "$0")/lib.sh"
if [[ "${1:-}" == --find ]]; then command -v promtool || exit 3; exit 0; fi
if ! command -v promtool >/dev/null; then
  [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null ||
    die "promtool is missing: install Debian's prometheus package (sudo apt-get install --no-install-recommends prometheus)"
  if ! apt-cache policy prometheus 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    log "apt-get update (no candidate for prometheus yet)"
    apt-get update -qq >&2
  fi
  log "apt-get install prometheus (for promtool)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >&2
fi
promtool --version 2>&1 | head -1 >&2
command -v promtool
